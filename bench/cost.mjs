// The cost table: what each set-up costs a CPU-bound worker, in throughput, RSS and main-thread heap.
import { median, poll, round, sleep, startTarget } from './lib.mjs';

/** The rows, in order: key, the target set-up started after the run with nothing (none for nothing), its series, its environment. */
export const COST_ROWS = [
  { key: 'nothing' },
  { key: 'peer', setup: 'prom-client' },
  { key: 'floor', setup: 'floor' },
  { key: 'defaults', setup: 'package' },
  { key: 'lean', setup: 'package-lean' },
  { key: 'gc', setup: 'package-gc' },
  { key: 'reader', setup: 'package', series: 1_000 },
  { key: 'noStall', setup: 'package', env: { WORKER_HEALTH_STALL_REPORTS: 'false' } },
];

/** The rows of the cost table on the allocating workload (`hash`): the references and the package's main set-ups. */
export const ALLOCATING_ROWS = ['nothing', 'peer', 'floor', 'defaults', 'lean'];

const MiB = 2 ** 20;

/**
 * One fresh target process per row and round. It runs the work with nothing started (traffic to a decoy,
 * so the machine is equally loaded), starts the row's set-up, settles, and runs the work again with the
 * traffic on the set-up. Within the process, run 2 against run 1 (throughput ratio, RSS and heap growth)
 * is the set-up's effect plus whatever a second run differs by anyway; the `nothing` row's processes run
 * twice with nothing and measure the latter, and a row's figure in a round is its own against the median
 * of the `nothing` rounds. So the `nothing` row's range is the noise of the method. Pairing within a
 * process keeps the differences between identical processes out of the figures.
 */
export async function cost(P, workload = 'task', keys = COST_ROWS.map((row) => row.key)) {
  const rows = COST_ROWS.filter((row) => keys.includes(row.key));
  const decoy = await startTarget('floor');
  const perRound = Object.fromEntries(rows.map((row) => [row.key, []]));
  for (let r = 0; r < P.costRounds; r++) {
    // The order rotates each round, so that no row always runs in the same minute of the round.
    for (let i = 0; i < rows.length; i++) {
      const row = rows[(i + r) % rows.length];
      perRound[row.key].push(await costProcess(row, P, decoy.port, workload));
    }
  }
  await decoy.stop();

  const out = {
    workload,
    rounds: P.costRounds,
    rows: rows.map((row) => row.key),
    series: COST_ROWS.find((row) => row.key === 'reader').series,
  };
  const base = perRound.nothing;
  const baseSpeedup = median(base.map((x) => x.speedup));
  const baseRss = median(base.map((x) => x.rssGrowth));
  const baseRssNoGc = median(base.map((x) => x.rssNoGcGrowth));
  const baseHeap = median(base.map((x) => x.heapGrowth));
  for (const row of rows) {
    const runs = perRound[row.key];
    out[row.key] = {
      throughputRatio: spread(
        runs.map((x) => x.speedup / baseSpeedup),
        3,
      ),
      rssOverNothingMiB: spread(
        runs.map((x) => (x.rssGrowth - baseRss) / MiB),
        1,
      ),
      rssNoGcOverNothingMiB: spread(
        runs.map((x) => (x.rssNoGcGrowth - baseRssNoGc) / MiB),
        1,
      ),
      heapOverNothingMiB: spread(
        runs.map((x) => (x.heapGrowth - baseHeap) / MiB),
        1,
      ),
      ...accounting(runs, base),
      itemsPerSecond: round(median(runs.map((x) => x.itemsPerSecond)), 0),
      rssMiB: round(median(runs.map((x) => x.rss)) / MiB, 1),
      heapMiB: round(median(runs.map((x) => x.heapUsed)) / MiB, 1),
      eventLoopDelayP99Ms: round(median(runs.map((x) => x.eldP99Ms))),
      requests: runs.reduce((s, x) => s + x.requests, 0),
      failedRequests: runs.reduce((s, x) => s + x.failed, 0),
    };
  }
  return out;
}

/**
 * Where the main thread's time went, as fractions of the run's wall time, each over the same figure of
 * the `nothing` rounds: outside the work items (event-loop turns, timers, a main-thread server, GC between
 * items), waiting for a core while runnable (schedstat), in GC (the main thread's, inside items or not),
 * and `lost`, the three summed (a wait or a GC between items counts twice). `setupCores`: the CPU the
 * set-up's own threads took, in cores. What they cannot show is a set-up's effect on how fast the work
 * itself runs (caches, a shared core): `cpuPerItemRatio` holds it, together with the machine's own
 * changes of speed, and throughput is that ratio's inverse times `onCoreShareRatio`.
 */
function accounting(runs, base) {
  const against = (key, compare) => {
    const baseline = median(base.map((x) => x[key]));
    return spread(
      runs.map((x) => compare(x[key], baseline)),
      4,
    );
  };
  const over = (key) => against(key, (value, baseline) => value - baseline);
  const ratioOver = (key) => against(key, (value, baseline) => value / baseline);
  return {
    outsideOverNothing: over('outsideGrowth'),
    waitOverNothing: over('waitGrowth'),
    gcOverNothing: over('gcGrowth'),
    lostOverNothing: over('lostGrowth'),
    otherCoresOverNothing: over('otherCoresGrowth'),
    setupCores: spread(
      runs.map((x) => x.setupCores),
      4,
    ),
    cpuPerItemRatio: ratioOver('cpuPerItemRatio'),
    onCoreShareRatio: ratioOver('onCoreShareRatio'),
  };
}

/** Median and range of per-round figures, and the figures themselves. */
function spread(values, digits) {
  return {
    median: round(median(values), digits),
    min: round(Math.min(...values), digits),
    max: round(Math.max(...values), digits),
    rounds: values.map((v) => round(v, digits)),
  };
}

async function costProcess(row, P, decoyPort, workload) {
  const target = await startTarget('off', {
    BENCH_THRESHOLD: '5',
    BENCH_SERIES: String(row.series ?? 0),
    BENCH_WORKLOAD: workload,
    ...row.env,
  });
  target.send(`run ${P.costWarmupMs}`); // the JIT compiles the work before it is measured
  await target.next('run');
  const first = await costRun(target, decoyPort, P);
  let port = decoyPort;
  if (row.setup) {
    target.send(`start ${row.setup}`);
    port = (await target.next('started', 30_000)).port;
  }
  // Steady state, not the start: a server compiles its paths on its first requests.
  await sleep(P.costSettleMs);
  const second = await costRun(target, port, P);
  await target.stop();
  // The main thread's time that went to anything but the work, second run against the first.
  const outsideGrowth = (second.ms - second.workMs) / second.ms - (first.ms - first.workMs) / first.ms;
  const waitGrowth = second.sched.mainWaitMs / second.ms - first.sched.mainWaitMs / first.ms;
  const gcGrowth = second.gcMs / second.ms - first.gcMs / first.ms;
  return {
    speedup: second.items / second.ms / (first.items / first.ms),
    outsideGrowth,
    waitGrowth,
    gcGrowth,
    lostGrowth: outsideGrowth + waitGrowth + gcGrowth,
    setupCores: second.sched.setupCpuMs / second.ms,
    // Throughput is exactly (items per ms on a core) × (the share of the wall time on a core).
    cpuPerItemRatio: second.sched.mainRunMs / second.items / (first.sched.mainRunMs / first.items),
    onCoreShareRatio: second.sched.mainRunMs / second.ms / (first.sched.mainRunMs / first.ms),
    otherCoresGrowth: second.sched.otherCpuMs / second.ms - first.sched.otherCpuMs / first.ms,
    itemsPerSecond: (second.items / second.ms) * 1000,
    rssGrowth: second.rss - first.rss,
    rssNoGcGrowth: second.rssNoGc - first.rssNoGc,
    heapGrowth: second.heapUsed - first.heapUsed,
    rss: second.rss,
    heapUsed: second.heapUsed,
    eldP99Ms: second.eldP99Ms,
    requests: first.requests + second.requests,
    failed: first.failed + second.failed,
  };
}

/** One run of the work while a client probes /health and scrapes /metrics at `port`; then RSS and heap. */
async function costRun(target, port, P) {
  const pollers = [poll(port, '/health', P.costProbeEveryMs), poll(port, '/metrics', P.costScrapeEveryMs)];
  target.send(`run ${P.costRunMs}`);
  const { run } = await target.next('run');
  const replies = (await Promise.all(pollers.map((p) => p.stop()))).flat();
  target.send('mem');
  const { mem } = await target.next('mem');
  return { ...run, ...mem, requests: replies.length, failed: replies.filter((x) => x.status !== 200).length };
}

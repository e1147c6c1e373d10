// Throughput side by side: what a set-up costs a CPU-bound worker, to a thousandth.
//
// The cost table (cost.mjs) runs one process at a time, 3 s with nothing and 3 s with its set-up. On
// this kind of machine the speed of a core drifts by more than 10 % between two such runs of the same
// process, so those throughput figures cannot tell 0.01 apart. Here the drift is taken out twice:
// - In time. Every process of a round is alive at once and they take turns: one works for a short window
//   while the others wait (their threads idle, nothing probes them). A cycle gives each process one
//   window, in an order that rotates each cycle; a window's throughput is taken against the mean of its
//   cycle's windows (logarithms), so what the machine does from one second to the next cancels.
// - Between processes. One process runs slower than another for reasons of its own (code layout, heap,
//   JIT), by about as much as the effects measured here. So the rows form a Latin square: a round has one
//   process and one phase per row, and in each phase every process runs a different row's set-up (the
//   set-up is stopped and the next started between phases), so that every process runs every set-up once
//   and its own speed drops out of the differences between rows.
// A row's figure in a round is its throughput against that of `nothing`. `nothing2` runs nothing too:
// its figure is the method's own noise.
import { median, round, sleep, startTarget } from './lib.mjs';
import { get } from '@worker-health/testing';

/** The rows: key, and the set-up (setups.mjs; one that can be stopped) a process runs for it. */
export const THROUGHPUT_ROWS = [
  { key: 'nothing' },
  { key: 'nothing2' },
  { key: 'floor', setup: 'floor' },
  { key: 'defaults', setup: 'package' },
];

/**
 * `P.throughputRounds` rounds on `workload`. A round starts one process per row and runs as many phases;
 * in each phase, after the set-ups have started and settled (`P.costSettleMs`), `P.throughputCycles`
 * cycles of one window of `P.throughputWindowMs` per process. During its window a process gets the cost
 * table's traffic (`/health` every `P.costProbeEveryMs`, `/metrics` every `P.costScrapeEveryMs`, on fresh
 * connections) on its set-up's port, or on a decoy's when it serves nothing.
 */
export async function throughput(P, workload = 'task') {
  const decoy = await startTarget('floor');
  const rounds = [];
  try {
    for (let r = 0; r < P.throughputRounds; r++) rounds.push(await latinSquare(P, workload, decoy.port));
  } finally {
    await decoy.stop();
  }
  const out = {
    workload,
    rounds: P.throughputRounds,
    cycles: P.throughputCycles,
    windowMs: P.throughputWindowMs,
    rows: THROUGHPUT_ROWS.map((row) => row.key),
  };
  for (const { key } of THROUGHPUT_ROWS) {
    out[key] = {
      ratio: spread(rounds.map((x) => x.ratio[key])),
      windows: rounds.reduce((sum, x) => sum + x.windows[key], 0),
      requests: rounds.reduce((sum, x) => sum + x.requests[key], 0),
      failedRequests: rounds.reduce((sum, x) => sum + x.failed[key], 0),
    };
  }
  out.nothing.itemsPerSecond = round(median(rounds.map((x) => x.itemsPerSecond)), 0);
  // The goal's figure, round by round: both rows of a round ran through the same minutes.
  out.defaultsMinusFloor = spread(rounds.map((x) => x.ratio.defaults - x.ratio.floor));
  return out;
}

/** One round: a process per row; in phase j, process i runs row (i + j) mod n. */
async function latinSquare(P, workload, decoyPort) {
  const n = THROUGHPUT_ROWS.length;
  const processes = [];
  try {
    for (let i = 0; i < n; i++) {
      const target = await startTarget('off', { BENCH_THRESHOLD: '5', BENCH_WORKLOAD: workload });
      processes.push({ target, row: undefined, port: decoyPort });
    }
    // The JIT compiles the work before anything is measured.
    for (const { target } of processes) {
      target.send(`run ${P.costWarmupMs}`);
      await target.next('run');
    }
    const phases = [];
    const windows = Object.fromEntries(THROUGHPUT_ROWS.map(({ key }) => [key, 0]));
    const requests = { ...windows };
    const failed = { ...windows };
    const nothingRates = [];
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) await switchTo(processes[i], THROUGHPUT_ROWS[(i + j) % n], decoyPort);
      await sleep(P.costSettleMs);
      const cycles = [];
      for (let c = 0; c < P.throughputCycles; c++) {
        const cycle = [];
        for (let k = 0; k < n; k++) {
          const i = (k + c) % n;
          const { target, port, row } = processes[i];
          const traffic = windowTraffic(port, P);
          target.send(`run ${P.throughputWindowMs}`);
          const { run } = await target.next('run');
          const statuses = await traffic.stop();
          cycle[i] = run.items / run.ms;
          windows[row.key]++;
          requests[row.key] += statuses.length;
          failed[row.key] += statuses.filter((status) => status !== 200).length;
          if (row.key === 'nothing') nothingRates.push(cycle[i] * 1000);
        }
        cycles.push(cycle);
      }
      phases.push({ rows: processes.map(({ row }) => row.key), cycles });
    }
    return { ratio: rowRatios(phases), windows, requests, failed, itemsPerSecond: median(nothingRates) };
  } finally {
    await Promise.all(processes.map(({ target }) => target.stop()));
  }
}

/**
 * Each row's throughput against `nothing`'s, from the windows of a Latin square: `phases[j].rows[i]` is
 * the row process i ran in phase j, `phases[j].cycles[c][i]` its throughput in cycle c. A window's log
 * throughput less the mean of its cycle's takes out what the machine did meanwhile; a row's effect is the
 * mean of those over its cells, and since every process ran every row once, each process's own speed is
 * in every row's effect alike and drops out of the differences.
 */
export function rowRatios(phases) {
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  const cells = {};
  for (const { rows, cycles } of phases) {
    const centered = cycles.map((cycle) => {
      const logs = cycle.map(Math.log);
      const cycleMean = mean(logs);
      return logs.map((value) => value - cycleMean);
    });
    for (const [i, key] of rows.entries()) {
      cells[key] ??= [];
      cells[key].push(mean(centered.map((cycle) => cycle[i])));
    }
  }
  const effect = Object.fromEntries(Object.entries(cells).map(([key, values]) => [key, mean(values)]));
  return Object.fromEntries(Object.keys(effect).map((key) => [key, Math.exp(effect[key] - effect.nothing)]));
}

/** Stops a process's set-up and starts `row`'s, warmed up by a few requests; traffic goes to the decoy for a row without one. */
async function switchTo(p, row, decoyPort) {
  if (p.row?.setup) {
    p.target.send('stop');
    await p.target.next('stopped', 30_000);
  }
  p.row = row;
  p.port = decoyPort;
  if (!row.setup) return;
  p.target.send(`start ${row.setup}`);
  p.port = (await p.target.next('started', 30_000)).port;
  // Steady state, not the start: a server compiles its paths on its first requests.
  for (let r = 0; r < 3; r++) for (const path of ['/health', '/metrics']) await get(p.port, path, 'GET', 30_000);
}

/**
 * The cost table's traffic during one window: `/health` every `costProbeEveryMs` and `/metrics` every
 * `costScrapeEveryMs`, each from half its interval in (a window as long as the scrape interval gets one
 * scrape, in its middle), on fresh connections. `stop()` waits for the answers: their statuses, 0 for none.
 */
function windowTraffic(port, P) {
  const pending = [];
  const timers = [];
  const fire = (path) =>
    pending.push(
      get(port, path, 'GET', 30_000).then(
        (reply) => reply.status,
        () => 0,
      ),
    );
  for (const [path, every] of [
    ['/health', P.costProbeEveryMs],
    ['/metrics', P.costScrapeEveryMs],
  ]) {
    timers.push(
      setTimeout(() => {
        fire(path);
        timers.push(setInterval(() => fire(path), every));
      }, every / 2),
    );
  }
  return {
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      return Promise.all(pending);
    },
  };
}

/** Median and range of per-round figures, and the figures themselves. */
function spread(values) {
  return {
    median: round(median(values), 4),
    min: round(Math.min(...values), 4),
    max: round(Math.max(...values), 4),
    rounds: values.map((v) => round(v, 4)),
  };
}

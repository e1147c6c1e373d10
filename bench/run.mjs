// pnpm bench: measures what @worker-health/exporter costs and how fast it tells the truth, writes every
// figure to results.json, then has report.mjs judge them and write BENCHMARKS.md from that file alone.
// Figures are medians over repeated runs; comparisons are measured side by side in this one run.
//   node run.mjs                  the full run: bench/results.json and BENCHMARKS.md
//   node run.mjs --quick          the CI smoke: one short iteration of each
//   BENCH_ONLY=stall,cost         some sections only (a development aid)
//   --out <dir>                   where results.json and BENCHMARKS.md go
// A quick or partial run writes to --out, else to a temporary folder: the committed files come only
// from a full run, so that every figure in them is from the run that wrote them.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { ALLOCATING_ROWS, cost } from './cost.mjs';
import { throughput } from './throughput.mjs';
import { memoryBreakdown } from './memory-breakdown.mjs';
import { metricsLoad } from './metrics-load.mjs';
import { stallReports } from './stall-reports.mjs';
import {
  collectedBreakdown,
  fittedGrowth,
  machine,
  median,
  percentile,
  probe,
  round,
  sequential,
  sleep,
  startProber,
  startTarget,
  trafficPhase,
} from './lib.mjs';
import { writeReport } from './report.mjs';

const QUICK = process.argv.includes('--quick');
const SECTIONS = [
  'stall',
  'detection',
  'cost',
  'costAllocating',
  'throughput',
  'throughputAllocating',
  'memoryBreakdown',
  'scrapeCost',
  'memory',
  'scale',
  'metricsLoad',
  'stallReports',
];
const only = process.env.BENCH_ONLY?.split(',');
const unknown = only?.filter((key) => !SECTIONS.includes(key)) ?? [];
if (unknown.length) throw new Error(`BENCH_ONLY: unknown section ${unknown.join(', ')}; accepted: ${SECTIONS.join(', ')}`);
const outFlag = process.argv.indexOf('--out');
const OUT =
  outFlag !== -1
    ? process.argv[outFlag + 1]
    : QUICK || only
      ? mkdtempSync(join(tmpdir(), 'bench-'))
      : fileURLToPath(new URL('.', import.meta.url));

const COMMON = {
  stallProbeEveryMs: 20,
  stallThresholdSeconds: 5,
  detectThresholdSeconds: 1,
  detectProbeEveryMs: 10,
  costProbeEveryMs: 100,
  costScrapeEveryMs: 1_000,
  cannonConnections: [1, 16],
  memScrapeEveryMs: 1_000,
  memConnections: 16,
  loadProbeEveryMs: 25,
  stallReportThresholdSeconds: 1,
  stallReportBlockMs: 1_300,
};
const P = QUICK
  ? {
      ...COMMON,
      stallMs: 1_500,
      stallRuns: 1,
      stallLeadMs: 500,
      detectRuns: 1,
      detectBlockMs: 1_600,
      costRounds: 1,
      breakdownRounds: 1,
      costRunMs: 500,
      costWarmupMs: 100,
      costSettleMs: 100,
      throughputRounds: 1,
      throughputCycles: 1,
      throughputWindowMs: 200,
      cannonSeconds: 1,
      cannonRuns: 1,
      sequentialScrapes: 50,
      memPhaseA: 3_000,
      memPhaseB: 1_000,
      memHealthA: 2_000,
      memHealthB: 1_000,
      memGrowthPhases: 3,
      scaleScrapes: 3,
      scale: [10, 1_000],
      loadCases: [[10_000, 4]],
      loadGoalCase: [10_000, 4],
      loadGoalRuns: 2,
      loadIdleMs: 500,
      loadBurstMs: 1_000,
      loadScrapeSeries: [10_000],
      loadScrapes: 2,
      loadMillion: 20_000,
      loadMillionScrapes: 1,
      loadMemorySeries: 10_000,
      loadMemoryScrapers: [8],
      stallReportRuns: 2,
      stallReportSpin: 5_000_000,
      stallReportCostRounds: 1,
    }
  : {
      ...COMMON,
      stallMs: 10_000,
      stallRuns: 3,
      stallLeadMs: 2_000,
      detectRuns: 5,
      detectBlockMs: 2_500,
      costRounds: 9,
      breakdownRounds: 3,
      costRunMs: 3_000,
      costWarmupMs: 300,
      costSettleMs: 500,
      throughputRounds: 3,
      throughputCycles: 6,
      throughputWindowMs: 1_000,
      cannonSeconds: 3,
      cannonRuns: 5,
      sequentialScrapes: 2_000,
      // Phase A is the warm-up: after 100000 requests the RSS of "on" still rose 0.9 MB over the next
      // 50000, then 0.5 MB over 250000 more (the allocator and V8 settling, not a trend).
      memPhaseA: 90_000,
      memPhaseB: 15_000,
      memHealthA: 150_000,
      memHealthB: 50_000,
      // Growth: a line through the readings after phase A and after each of these phases B.
      memGrowthPhases: 6,
      scaleScrapes: 20,
      scale: [10, 1_000, 10_000],
      // The /health-while-/metrics-works table: [application series, concurrent scrapers].
      loadCases: [
        [10_000, 1],
        [10_000, 32],
        [100_000, 1],
        [100_000, 32],
        [150_000, 32],
      ],
      // The goal's case runs this many times in all (the table's run and repeats), judged on each.
      loadGoalCase: [100_000, 32],
      loadGoalRuns: 3,
      // As long as the burst: both p99s over the same number of probes (of 80, the p99 is the slowest).
      loadIdleMs: 6_000,
      loadBurstMs: 6_000,
      loadScrapeSeries: [10_000, 100_000],
      loadScrapes: 10,
      loadMillion: 1_000_000,
      loadMillionScrapes: 3,
      loadMemorySeries: 100_000,
      loadMemoryScrapers: [32, 256],
      stallReportRuns: 30,
      stallReportSpin: 10_000_000,
      stallReportCostRounds: 30,
    };

const log = (line) => process.stdout.write(`${line}\n`);

/**
 * A fresh target with the given threshold blocks its main thread for `blockMs` while `/health` is
 * probed every `everyMs` (open loop). Returns the replies, sorted by arrival, and the block's times.
 */
async function probedBlock(mode, thresholdSeconds, blockMs, everyMs, leadMs = 200) {
  const target = await startTarget(mode, { BENCH_THRESHOLD: String(thresholdSeconds) });
  await sleep(300);
  const poller = await startProber(target.port, '/health', everyMs);
  await sleep(leadMs);
  target.send(`block ${blockMs}`);
  const { blocking } = await target.next('blocking');
  const { unblocked } = await target.next('unblocked');
  await sleep(400);
  const replies = (await poller.stop()).sort((a, b) => a.at - b.at);
  await target.stop();
  return { replies, blocking, unblocked };
}

/** /health latency while the main thread is blocked, beside the same probe before the block: this package vs a main-thread server. */
async function stall() {
  const out = {};
  for (const mode of ['package', 'prom-client']) {
    const runs = [];
    let timeline;
    for (let r = 0; r < P.stallRuns; r++) {
      const { replies, blocking, unblocked } = await probedBlock(
        mode,
        P.stallThresholdSeconds,
        P.stallMs,
        P.stallProbeEveryMs,
        P.stallLeadMs,
      );
      const during = replies.filter((x) => x.sentAt >= blocking && x.sentAt < unblocked);
      const ms = during.map((x) => x.ms);
      const idle = replies.filter((x) => x.at < blocking).map((x) => x.ms);
      runs.push({
        n: during.length,
        idleN: idle.length,
        p50: percentile(ms, 50),
        p99: percentile(ms, 99),
        max: Math.max(...ms),
        errors: during.filter((x) => x.status === 0).length,
        idleP50: percentile(idle, 50),
        idleP99: percentile(idle, 99),
      });
      // The chart (chart.mjs) draws every probe of the first run: [seconds since the block began, ms, status (0: no answer)].
      timeline ??= {
        blockSeconds: round((unblocked - blocking) / 1000, 3),
        probes: replies.map((x) => [round((x.sentAt - blocking) / 1000, 3), round(x.ms, 3), x.status]),
      };
    }
    out[mode] = {
      probes: median(runs.map((x) => x.n)),
      idleProbes: median(runs.map((x) => x.idleN)),
      p50Ms: round(median(runs.map((x) => x.p50))),
      p99Ms: round(median(runs.map((x) => x.p99))),
      maxMs: round(median(runs.map((x) => x.max))),
      errors: runs.reduce((s, x) => s + x.errors, 0),
      idleP50Ms: round(median(runs.map((x) => x.idleP50))),
      idleP99Ms: round(median(runs.map((x) => x.idleP99))),
      timeline,
    };
  }
  return out;
}

/** Time from block start to the first 503 (less the threshold), and from block end to the first 200. */
async function detection() {
  const out = {};
  for (const mode of ['package', 'bare-otel']) {
    const detect = [];
    const recover = [];
    let saw503 = 0;
    let saw503WhileBlocked = 0;
    for (let r = 0; r < P.detectRuns; r++) {
      const { replies, blocking, unblocked } = await probedBlock(mode, P.detectThresholdSeconds, P.detectBlockMs, P.detectProbeEveryMs);
      const first503 = replies.find((x) => x.status === 503 && x.at >= blocking);
      if (first503) {
        saw503++;
        // A main-thread server may still answer 503 to the probes queued during the block, but only once it is over.
        if (first503.at < unblocked) saw503WhileBlocked++;
        detect.push(first503.at - blocking - P.detectThresholdSeconds * 1_000);
        const back = replies.find((x) => x.status === 200 && x.at >= unblocked);
        if (back) recover.push(back.at - unblocked);
      }
    }
    out[mode] = {
      runs: P.detectRuns,
      runsWith503: saw503,
      runsWith503WhileBlocked: saw503WhileBlocked,
      detectMinusThresholdMs: detect.length ? round(median(detect)) : null,
      recoverMs: recover.length ? round(median(recover)) : null,
    };
  }
  return out;
}

async function cannon(port, path, connections, seconds) {
  const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, connections, duration: seconds });
  return {
    rps: result.requests.average,
    mean: result.latency.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/** The main thread's event-loop active time of `target` while `fn` runs, per request (`fn` resolves how many). */
async function mainThreadMsPer(target, fn) {
  target.send('elu');
  const before = (await target.next('elu')).elu.activeMs;
  const requests = await fn();
  target.send('elu');
  const after = (await target.next('elu')).elu.activeMs;
  return (after - before) / requests;
}

/** /metrics latency, throughput and main-thread time per scrape: this package, bare exporter-prometheus, prom-client. */
async function scrapeCost() {
  const modes = ['package', 'package-lean', 'bare-otel', 'prom-client'];
  const [c1, c16] = P.cannonConnections;
  // All targets run at once and take turns within each round, so that every mode sees the same minutes of machine noise.
  const targets = {};
  for (const mode of modes) targets[mode] = await startTarget(mode);
  await sleep(300);
  const runs = Object.fromEntries(modes.map((mode) => [mode, { seq: [], main: [], c1: [], c16: [] }]));
  for (const mode of modes) await cannon(targets[mode].port, '/metrics', 1, 1); // warm up
  for (let r = 0; r < P.cannonRuns; r++) {
    for (const mode of modes) {
      const port = targets[mode].port;
      // One scraper, one keep-alive connection: the latency of a scrape, to the microsecond.
      const main = await mainThreadMsPer(targets[mode], async () => {
        runs[mode].seq.push(await sequential(port, '/metrics', P.sequentialScrapes));
        return P.sequentialScrapes;
      });
      runs[mode].main.push(main);
      runs[mode].c1.push(await cannon(port, '/metrics', c1, P.cannonSeconds));
      runs[mode].c16.push(await cannon(port, '/metrics', c16, P.cannonSeconds));
    }
  }
  const out = {};
  for (const mode of modes) {
    const bytes = (await probe(targets[mode].port, '/metrics')).bytes;
    const { seq, main } = runs[mode];
    out[mode] = {
      bytes,
      sequential: {
        p50Ms: round(median(seq.map((l) => percentile(l, 50))), 3),
        p99Ms: round(median(seq.map((l) => percentile(l, 99))), 3),
      },
      mainThreadMsPerScrape: round(median(main), 3),
    };
    for (const key of ['c1', 'c16']) {
      const list = runs[mode][key];
      out[mode][key] = {
        rps: round(median(list.map((x) => x.rps)), 0),
        meanMs: round(median(list.map((x) => x.mean)), 3),
        p50Ms: round(median(list.map((x) => x.p50))),
        p99Ms: round(median(list.map((x) => x.p99))),
        errors: list.reduce((s, x) => s + x.errors, 0),
      };
    }
  }
  await Promise.all(Object.values(targets).map((t) => t.stop()));
  return out;
}

/**
 * RSS, healthcheck on vs off, after scraping and many /health requests; and growth along the way: each
 * thread's used V8 heap and external memory after a GC of both threads (where a leak of the package's
 * JavaScript shows), and RSS beside it, also of the conventional server under the same traffic.
 */
async function memory() {
  const targets = {
    on: await startTarget('package', { BENCH_THRESHOLD: '5' }),
    // The package with its defaults again, its thread started through the bench's wrapper
    // (thread-stats.mjs), which collects the thread's heap and says its size when asked: the heaps of the
    // growth bar. A process of its own, so that these collections are not in the RSS figures of "on".
    collected: await startTarget('package-stats', { BENCH_THRESHOLD: '5', BENCH_THREAD_GC: '1' }),
    lean: await startTarget('package-lean', { BENCH_THRESHOLD: '5' }),
    off: await startTarget('off'),
    offOtel: await startTarget('off-otel'),
    // The conventional setup (node:http and prom-client on the main thread) under the same traffic.
    conventional: await startTarget('prom-client'),
  };
  const mem = async () => {
    const sample = {};
    for (const [key, target] of Object.entries(targets)) {
      target.send('mem');
      sample[key] = (await target.next('mem')).mem;
    }
    const gc = await collectedBreakdown(targets.collected);
    sample.heaps = {
      main: gc.main.used,
      thread: gc.thread.used,
      mainExternal: gc.main.external,
      threadExternal: gc.thread.external,
    };
    return sample;
  };
  // The servers get the same traffic; the two "off" processes idle beside them.
  const served = [targets.on, targets.collected, targets.lean, targets.conventional];
  const phase = (ms, requests) =>
    trafficPhase(
      served.map((target) => target.port),
      { ms, requests, scrapeEveryMs: P.memScrapeEveryMs, connections: P.memConnections },
    );
  const start = await mem();
  let errors = await phase(P.memPhaseA, P.memHealthA);
  const readings = [await mem()];
  for (let i = 0; i < P.memGrowthPhases; i++) {
    errors += await phase(P.memPhaseB, P.memHealthB);
    readings.push(await mem());
  }
  const [afterA, end] = [readings[0], readings.at(-1)];
  await Promise.all(Object.values(targets).map((t) => t.stop()));
  const mb = (bytes) => round(bytes / 2 ** 20, 1);
  const series = (pick) => readings.map(pick);
  const growth = (pick) => mb(fittedGrowth(series(pick)));
  const table = (sample) =>
    Object.fromEntries(Object.keys(targets).map((k) => [k, { rssMB: mb(sample[k].rss), heapMB: mb(sample[k].heapUsed) }]));
  return {
    start: table(start),
    afterPhaseA: table(afterA),
    end: table(end),
    rssOverheadMB: mb(end.on.rss - end.off.rss),
    rssOverheadOverOtelMB: mb(end.on.rss - end.offOtel.rss),
    rssOverConventionalMB: mb(end.on.rss - end.conventional.rss),
    leanRssOverheadMB: mb(end.lean.rss - end.off.rss),
    // The readings (MB) after phase A and after each phase B; each growth is the rise along their fitted line.
    growthReadings: {
      onRss: series((s) => mb(s.on.rss)),
      leanRss: series((s) => mb(s.lean.rss)),
      conventionalRss: series((s) => mb(s.conventional.rss)),
      mainHeap: series((s) => mb(s.heaps.main)),
      threadHeap: series((s) => mb(s.heaps.thread)),
      mainExternal: series((s) => mb(s.heaps.mainExternal)),
      threadExternal: series((s) => mb(s.heaps.threadExternal)),
    },
    // The growth bar's figures: what either thread's JavaScript keeps, in its heap or outside it (buffers).
    mainGrowthMB: growth((s) => s.heaps.main + s.heaps.mainExternal),
    threadGrowthMB: growth((s) => s.heaps.thread + s.heaps.threadExternal),
    mainHeapGrowthMB: growth((s) => s.heaps.main),
    threadHeapGrowthMB: growth((s) => s.heaps.thread),
    mainExternalGrowthMB: growth((s) => s.heaps.mainExternal),
    threadExternalGrowthMB: growth((s) => s.heaps.threadExternal),
    rssGrowthMB: growth((s) => s.on.rss),
    leanRssGrowthMB: growth((s) => s.lean.rss),
    conventionalRssGrowthMB: growth((s) => s.conventional.rss),
    healthRequestsEach: P.memHealthA + P.memGrowthPhases * P.memHealthB,
    errors,
  };
}

/** Scrape time and main-thread time per scrape with 10 / 1 000 / 10 000 application series. */
async function scale() {
  const out = {};
  for (const mode of ['package', 'bare-otel']) {
    out[mode] = {};
    for (const series of P.scale) {
      const target = await startTarget(mode, { BENCH_SERIES: String(series) });
      await sleep(300);
      await probe(target.port, '/metrics');
      const replies = [];
      const mainMs = await mainThreadMsPer(target, async () => {
        for (let i = 0; i < P.scaleScrapes; i++) replies.push(await probe(target.port, '/metrics'));
        return P.scaleScrapes;
      });
      await target.stop();
      out[mode][series] = {
        medianMs: round(median(replies.map((x) => x.ms))),
        mainThreadMsPerScrape: round(mainMs, 3),
        bytes: replies.at(-1).bytes,
      };
    }
  }
  return out;
}

const sections = {
  stall,
  detection,
  cost: () => cost(P, 'task'),
  costAllocating: () => cost(P, 'hash', ALLOCATING_ROWS),
  throughput: () => throughput(P, 'task'),
  throughputAllocating: () => throughput(P, 'hash'),
  memoryBreakdown: () => memoryBreakdown(P),
  scrapeCost,
  memory,
  scale,
  metricsLoad: () => metricsLoad(P),
  stallReports: () => stallReports(P),
};

const results = { quick: QUICK, partial: Boolean(only), date: new Date().toISOString(), machine: machine(), params: P };
for (const key of SECTIONS) {
  if (only && !only.includes(key)) continue;
  const measure = sections[key];
  const started = Date.now();
  log(`${key} …`);
  results[key] = await measure();
  results[key].seconds = round((Date.now() - started) / 1000, 1);
  log(`${JSON.stringify(results[key])}`);
}
results.seconds = round((Date.now() - Date.parse(results.date)) / 1000, 1);
// Other work on the machine moves every timing figure: the reader should see how busy it was.
results.machine.loadAverageAtEnd = loadavg().map((x) => round(x, 2));

mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
log(`wrote ${join(OUT, 'results.json')}`);
await writeReport(OUT, log);

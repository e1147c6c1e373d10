// pnpm bench: measures what @worker-health/exporter costs and how fast it tells
// the truth. Figures are medians over repeated runs; comparisons are measured
// side by side in this one run. `--quick` is the CI smoke: one short iteration
// of each, written to --out (default: a temporary folder), not to bench/.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median, percentile, poll, probe, round, sequential, sleep, startProber, Target } from './lib.mjs';

const QUICK = process.argv.includes('--quick');
const outFlag = process.argv.indexOf('--out');
const OUT = outFlag !== -1 ? process.argv[outFlag + 1] : QUICK ? mkdtempSync(join(tmpdir(), 'bench-')) : fileURLToPath(new URL('.', import.meta.url));
const MD = outFlag !== -1 || QUICK ? join(OUT, 'BENCHMARKS.md') : fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

const P = QUICK
  ? { stallMs: 1_500, stallRuns: 1, detectRuns: 1, detectBlockMs: 1_600, workItems: { js: 50, crypto: 200 }, workRuns: 1, workSettleMs: 100, cannonSeconds: 1, cannonRuns: 1, sequentialScrapes: 50,
      memPhaseA: 3_000, memPhaseB: 2_000, memHealthA: 2_000, memHealthB: 1_000, scaleScrapes: 3, scale: [10, 1_000] }
  : { stallMs: 10_000, stallRuns: 3, detectRuns: 5, detectBlockMs: 2_500, workItems: { js: 4_000, crypto: 17_000 }, workRuns: 15, workSettleMs: 500, cannonSeconds: 3, cannonRuns: 5, sequentialScrapes: 2_000,
      memPhaseA: 60_000, memPhaseB: 30_000, memHealthA: 100_000, memHealthB: 50_000, scaleScrapes: 20, scale: [10, 1_000, 10_000] };

const results = { quick: QUICK, date: new Date().toISOString(), machine: machine(), params: P };
const log = (line) => process.stdout.write(`${line}\n`);

function machine() {
  return { node: process.version, os: `${osType()} ${release()}`, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 1) };
}

/**
 * A fresh target with the given threshold blocks its main thread for `blockMs` while `/health` is
 * probed every `everyMs` (open loop). Returns the replies, sorted by arrival, and the block's times.
 */
async function probedBlock(mode, thresholdSeconds, blockMs, everyMs, leadMs = 200) {
  const target = await Target.start(mode, { BENCH_THRESHOLD: String(thresholdSeconds) });
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

/** 1. /health latency while the main thread is blocked: this package vs a main-thread server. */
async function stall() {
  const out = {};
  for (const mode of ['package', 'prom-client']) {
    const runs = [];
    for (let r = 0; r < P.stallRuns; r++) {
      // 2 s of probes before the block: the same probe against the same server, idle.
      const { replies, blocking, unblocked } = await probedBlock(mode, 5, P.stallMs, 20, 2_000);
      const during = replies.filter((x) => x.sentAt >= blocking && x.sentAt < unblocked);
      const ms = during.map((x) => x.ms);
      const idle = replies.filter((x) => x.at < blocking).map((x) => x.ms);
      runs.push({
        n: during.length,
        p50: percentile(ms, 50),
        p99: percentile(ms, 99),
        max: Math.max(...ms),
        errors: during.filter((x) => x.status === 0).length,
        idleP50: percentile(idle, 50),
        idleP99: percentile(idle, 99),
      });
    }
    out[mode] = {
      probes: median(runs.map((x) => x.n)),
      p50Ms: round(median(runs.map((x) => x.p50))),
      p99Ms: round(median(runs.map((x) => x.p99))),
      maxMs: round(median(runs.map((x) => x.max))),
      errors: runs.reduce((s, x) => s + x.errors, 0),
      idleP50Ms: round(median(runs.map((x) => x.idleP50))),
      idleP99Ms: round(median(runs.map((x) => x.idleP99))),
    };
  }
  out.bar = { p99Ms: 5, met: out.package.p99Ms <= 5 };
  return out;
}

/** 2. Time from block start to the first 503 (less the threshold), and from block end to the first 200. */
async function detection() {
  const out = {};
  for (const mode of ['package', 'bare-otel']) {
    const detect = [];
    const recover = [];
    let saw503 = 0;
    let saw503WhileBlocked = 0;
    for (let r = 0; r < P.detectRuns; r++) {
      const { replies, blocking, unblocked } = await probedBlock(mode, 1, P.detectBlockMs, 10);
      const first503 = replies.find((x) => x.status === 503 && x.at >= blocking);
      if (first503) {
        saw503++;
        // A main-thread server may still answer 503 to the probes queued during the block, but only once it is over.
        if (first503.at < unblocked) saw503WhileBlocked++;
        detect.push(first503.at - blocking - 1_000);
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
  out.bar = {
    detectMs: 150,
    recoverMs: 150,
    met: out.package.detectMinusThresholdMs !== null && out.package.detectMinusThresholdMs <= 150 && out.package.recoverMs <= 150,
  };
  return out;
}

/**
 * 3. Throughput of a CPU-bound worker loop with the healthcheck off vs on (scraped and probed). A second
 * "off" process gives the noise floor (off vs off), and "lean" (defaultMetrics: false) shows what the
 * runtime metrics cost.
 */
async function overhead() {
  const out = {};
  for (const workload of ['js', 'crypto']) out[workload] = await overheadWith(workload);
  out.throughputRatio = out.js.throughputRatio;
  out.bar = { throughputRatio: 0.99, workload: 'js', ...judge(out.js.throughputRatio, out.js.noiseRatio, 0.99) };
  return out;
}

/**
 * A run judges the bar only when its own noise (off again / off) cannot carry the ratio across it:
 * met when ratio − noise ≥ bar, not met when ratio + noise < bar, else unresolved.
 */
function judge(ratio, noiseRatio, bar) {
  const noise = Math.abs(1 - noiseRatio);
  const met = ratio - noise >= bar;
  return { resolved: met || ratio + noise < bar, met };
}

/**
 * One process alternates: healthcheck off, on, off again (the order rotates each round), so that the
 * ratio is not swamped by the differences between processes (which the bench measured at several
 * percent). While "on", /metrics is scraped every second and /health probed every 100 ms; while "off",
 * the same traffic goes to a decoy process, so the machine is equally loaded.
 */
async function overheadWith(workload) {
  const subject = await Target.start('toggle', { BENCH_THRESHOLD: '5', BENCH_WORKLOAD: workload });
  const decoy = await Target.start('package-lean');
  const samples = { off: [], on: [], offAgain: [] };
  const phases = Object.keys(samples);
  await sleep(300);
  for (let r = 0; r < P.workRuns; r++) {
    for (const phase of phases.map((_, i) => phases[(i + r) % phases.length])) {
      subject.send(`hc ${phase === 'on' ? 'on' : 'off'}`);
      const { port } = await subject.next('hc');
      // Steady state, not the start: the thread has just loaded and compiles its paths on the first requests.
      await sleep(P.workSettleMs);
      const target = phase === 'on' ? port : decoy.port;
      const pollers = [poll(target, '/metrics', 1_000), poll(target, '/health', 100)];
      subject.send(`work ${P.workItems[workload]}`);
      const { work } = await subject.next('work', 300_000);
      await Promise.all(pollers.map((p) => p.stop()));
      samples[phase].push(work);
      if (process.env.BENCH_DEBUG) log(`  ${workload} ${phase} ${Math.round((work.items / work.ms) * 1000)} items/s`);
    }
  }
  await Promise.all([subject.stop(), decoy.stop()]);
  const rate = (key) => median(samples[key].map((w) => w.items / w.ms));
  const figures = (key) => ({ itemsPerSecond: round(rate(key) * 1000, 0), eventLoopDelayP99Ms: round(median(samples[key].map((w) => w.eldP99Ms))) });
  // Paired within each round (same minute of machine noise), then the median over rounds.
  const paired = (key) => median(samples[key].map((w, i) => w.items / w.ms / (samples.off[i].items / samples.off[i].ms)));
  return {
    rounds: P.workRuns,
    itemsPerRun: P.workItems[workload],
    off: figures('off'),
    on: figures('on'),
    offAgain: figures('offAgain'),
    throughputRatio: round(paired('on'), 3),
    noiseRatio: round(paired('offAgain'), 3),
  };
}

async function cannon(port, path, connections, seconds) {
  const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, connections, duration: seconds });
  return { rps: result.requests.average, mean: result.latency.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx };
}

/** 4. /metrics throughput and latency: this package, bare exporter-prometheus, prom-client. */
async function scrapeCost() {
  const modes = ['package', 'package-lean', 'bare-otel', 'prom-client'];
  // All targets run at once and take turns within each round, so that every mode sees the same minutes of machine noise.
  const targets = {};
  for (const mode of modes) targets[mode] = await Target.start(mode);
  await sleep(300);
  const runs = Object.fromEntries(modes.map((mode) => [mode, { seq: [], c1: [], c16: [] }]));
  for (const mode of modes) await cannon(targets[mode].port, '/metrics', 1, 1); // warm up
  for (let r = 0; r < P.cannonRuns; r++) {
    for (const mode of modes) {
      const port = targets[mode].port;
      // One scraper, one keep-alive connection: the latency of a scrape, to the microsecond.
      runs[mode].seq.push(await sequential(port, '/metrics', P.sequentialScrapes));
      runs[mode].c1.push(await cannon(port, '/metrics', 1, P.cannonSeconds));
      runs[mode].c16.push(await cannon(port, '/metrics', 16, P.cannonSeconds));
    }
  }
  const out = {};
  for (const mode of modes) {
    const bytes = (await probe(targets[mode].port, '/metrics')).bytes;
    const { seq } = runs[mode];
    out[mode] = {
      sequential: { p50Ms: round(median(seq.map((l) => percentile(l, 50))), 3), p99Ms: round(median(seq.map((l) => percentile(l, 99))), 3) },
    };
    for (const key of ['c1', 'c16']) {
      const list = runs[mode][key];
      out[mode][key] = {
        rps: round(median(list.map((x) => x.rps)), 0),
        meanMs: round(median(list.map((x) => x.mean)), 3),
        p50Ms: round(median(list.map((x) => x.p50))),
        p99Ms: round(median(list.map((x) => x.p99))),
        errors: list.reduce((s, x) => s + x.errors, 0),
        bytes,
      };
    }
  }
  await Promise.all(Object.values(targets).map((t) => t.stop()));
  const bare = out['bare-otel'];
  const ratios = (mode) => ({
    c1P50: round(out[mode].sequential.p50Ms / bare.sequential.p50Ms),
    c1P99: round(out[mode].sequential.p99Ms / bare.sequential.p99Ms),
    c16Mean: round(out[mode].c16.meanMs / bare.c16.meanMs),
    c16P99: round(out[mode].c16.p99Ms / bare.c16.p99Ms),
    c1Rps: round(out[mode].c1.rps / bare.c1.rps),
    c16Rps: round(out[mode].c16.rps / bare.c16.rps),
  });
  out.ratioToBareOtel = { package: ratios('package'), packageLean: ratios('package-lean') };
  // The bar compares like with like: the same two gauges (package-lean) against bare OTel,
  // at concurrency 1 (sequential p99) and 16 (mean latency: autocannon's p99 is whole milliseconds).
  const lean = out.ratioToBareOtel.packageLean;
  out.bar = { latencyRatioToBareOtel: 1.2, comparedMode: 'package-lean', met: lean.c1P99 <= 1.2 && lean.c16Mean <= 1.2 };
  return out;
}

/** 5. RSS and heap, healthcheck on vs off, after scraping and many /health requests. */
async function memory() {
  const targets = {
    on: await Target.start('package', { BENCH_THRESHOLD: '5' }),
    lean: await Target.start('package-lean', { BENCH_THRESHOLD: '5' }),
    off: await Target.start('off'),
    offOtel: await Target.start('off-otel'),
    // The conventional setup (node:http and prom-client on the main thread) under the same traffic.
    conventional: await Target.start('prom-client'),
  };
  const mem = async () => {
    const sample = {};
    for (const [key, target] of Object.entries(targets)) {
      target.send('mem');
      sample[key] = (await target.next('mem')).mem;
    }
    return sample;
  };
  // The servers get the same traffic; the two "off" processes idle beside them.
  const served = [targets.on, targets.lean, targets.conventional];
  const phase = async (ms, healthRequests) => {
    const scrapers = served.map((target) => poll(target.port, '/metrics', 1_000));
    const started = Date.now();
    let errors = 0;
    for (const target of served) {
      const flood = await autocannon({ url: `http://127.0.0.1:${target.port}/health`, connections: 16, amount: healthRequests });
      errors += flood.errors + flood.timeouts + flood.non2xx;
    }
    await sleep(Math.max(0, ms - (Date.now() - started)));
    const replies = (await Promise.all(scrapers.map((s) => s.stop()))).flat();
    return errors + replies.filter((r) => r.status !== 200).length;
  };
  const start = await mem();
  const errorsA = await phase(P.memPhaseA, P.memHealthA);
  const afterA = await mem();
  const errorsB = await phase(P.memPhaseB, P.memHealthB);
  const end = await mem();
  await Promise.all(Object.values(targets).map((t) => t.stop()));
  const mb = (bytes) => round(bytes / 2 ** 20, 1);
  const table = (sample) => Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, { rssMB: mb(v.rss), heapMB: mb(v.heapUsed) }]));
  const out = {
    start: table(start),
    afterPhaseA: table(afterA),
    end: table(end),
    rssOverheadMB: mb(end.on.rss - end.off.rss),
    rssOverheadOverOtelMB: mb(end.on.rss - end.offOtel.rss),
    rssOverConventionalMB: mb(end.on.rss - end.conventional.rss),
    leanRssOverheadMB: mb(end.lean.rss - end.off.rss),
    rssGrowthAfterPhaseAMB: mb(end.on.rss - afterA.on.rss),
    heapGrowthAfterPhaseAMB: mb(end.on.heapUsed - afterA.on.heapUsed),
    leanRssGrowthAfterPhaseAMB: mb(end.lean.rss - afterA.lean.rss),
    healthRequestsEach: P.memHealthA + P.memHealthB,
    errors: errorsA + errorsB,
  };
  out.bar = { rssOverheadMB: 20, growthMB: 1, met: out.rssOverheadMB <= 20 && out.rssGrowthAfterPhaseAMB <= 1 };
  return out;
}

/** 6. Scrape time with 10 / 1 000 / 10 000 application series on the passed-in MeterProvider. */
async function scale() {
  const out = {};
  for (const mode of ['package', 'bare-otel']) {
    out[mode] = {};
    for (const series of P.scale) {
      const target = await Target.start(mode, { BENCH_SERIES: String(series) });
      await sleep(300);
      await probe(target.port, '/metrics');
      const replies = [];
      for (let i = 0; i < P.scaleScrapes; i++) replies.push(await probe(target.port, '/metrics'));
      await target.stop();
      out[mode][series] = { medianMs: round(median(replies.map((x) => x.ms))), bytes: replies.at(-1).bytes };
    }
  }
  return out;
}

const sections = [
  ['stall', '1. /health while the main thread is blocked', stall],
  ['detection', '2. detection latency', detection],
  ['overhead', '3. overhead on the worker', overhead],
  ['scrapeCost', '4. scrape cost', scrapeCost],
  ['memory', '5. memory', memory],
  ['scale', '6. scale of series', scale],
];
const only = process.env.BENCH_ONLY?.split(',');
if (process.argv.includes('--render')) {
  // Re-render BENCHMARKS.md and the table from an existing results.json, without measuring.
  const { readFileSync } = await import('node:fs');
  Object.assign(results, JSON.parse(readFileSync(join(OUT, 'results.json'), 'utf8')));
} else for (const [key, title, fn] of sections) {
  if (only && !only.includes(key)) continue;
  const started = Date.now();
  log(`${title} …`);
  results[key] = await fn();
  log(`${JSON.stringify(results[key])}  (${round((Date.now() - started) / 1000, 1)} s)`);
}

mkdirSync(OUT, { recursive: true });
if (only && !QUICK) {
  // A partial run updates its sections of the existing results and keeps the others.
  const { existsSync, readFileSync } = await import('node:fs');
  const file = join(OUT, 'results.json');
  if (existsSync(file)) {
    const previous = JSON.parse(readFileSync(file, 'utf8'));
    for (const [key] of sections) if (!only.includes(key) && previous[key]) results[key] = previous[key];
    results.date = previous.date;
    results.updated = { ...(previous.updated ?? {}), ...Object.fromEntries(only.map((key) => [key, new Date().toISOString()])) };
  }
}
if (!process.argv.includes('--render')) writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
const { renderMarkdown, renderTable } = await import('./report.mjs');
writeFileSync(MD, renderMarkdown(results));
log(`\n${renderTable(results)}`);
log(`wrote ${join(OUT, 'results.json')} and ${MD}`);

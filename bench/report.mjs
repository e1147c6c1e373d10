// Judges results.json (bars.mjs) and renders it as a terminal table and as BENCHMARKS.md. Every figure
// printed comes from the results.json being rendered; this file holds words, not measurements.
//   node report.mjs [dir]   re-renders from <dir>/results.json (default: bench/, whose report is ../BENCHMARKS.md)
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { judge, ratioToBareOtel } from './bars.mjs';
import { hasChartData, writeChart } from './chart.mjs';
import { COST_ROWS } from './cost.mjs';
import { SORT_SIZES } from './work.mjs';
import { fleetMarkdown } from './fleet-report.mjs';
import { judgeMetricsLoad, metricsLoadSection } from './metrics-load-report.mjs';
import { stallReportsSection } from './stall-reports-report.mjs';
import { memoryBreakdownSection } from './memory-breakdown-report.mjs';
import { throughputRows, throughputSection } from './throughput-report.mjs';
import { largestStray, round } from './lib.mjs';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
/** A change, with its sign: +0.4, −0.1, 0. */
const signed = (value) => (value > 0 ? `+${value}` : value < 0 ? `−${-value}` : '0');
const fmt = (value, unit = '') => (value === null || value === undefined || Number.isNaN(value) ? 'n/a' : `${value}${unit}`);
const verdict = (v) => (v ? (v.met ? 'met' : '**not met**') : '');
const spread = (s, unit = '') => `${s.median}${unit} (${s.min} – ${s.max})`;

export const COST_LABELS = {
  nothing: 'nothing started',
  peer: 'the peer: prom-client `collectDefaultMetrics` on a main-thread `node:http` server (what the Hatchet TypeScript SDK runs)',
  floor: 'the floor: a bare worker thread with a `node:http` server and a static `/metrics`',
  defaults: 'worker-health, defaults',
  lean: 'worker-health, `defaultMetrics: false`',
  gc: 'worker-health, defaults and `gcMetrics: true` (GC durations observed)',
  reader: (r) => `worker-health, defaults and an application \`metricReader\` holding ${r.cost.series} series`,
  noStall: 'worker-health, defaults and stall reports off (`WORKER_HEALTH_STALL_REPORTS=false`)',
};
const costLabel = (key, r) => (typeof COST_LABELS[key] === 'function' ? COST_LABELS[key](r) : COST_LABELS[key]);

/** A cost table (`section`: `cost`, sorting, or `costAllocating`): one row per set-up. */
export function costRows(r, section = 'cost') {
  const c = r[section];
  const n = c.nothing;
  return c.rows.map((key) => {
    const x = c[key];
    const row = [
      costLabel(key, r),
      spread(x.throughputRatio),
      spread(x.rssOverNothingMiB),
      spread(x.rssNoGcOverNothingMiB),
      spread(x.heapOverNothingMiB),
    ];
    // The absolute figures the others are measured against.
    return key === 'nothing'
      ? [row[0], `${row[1]}; ${n.itemsPerSecond} tasks/s`, `${row[2]}; RSS ${n.rssMiB} MiB`, row[3], `${row[4]}; heap ${n.heapMiB} MiB`]
      : row;
  });
}

/** Goal verdicts of the cost tables, as lines. */
export function costGoals(r, v = judge(r)) {
  return Object.entries(v)
    .filter(([key]) => key.startsWith('cost'))
    .map(([, x]) => `${x.bar}: ${x.figure}: ${x.met ? 'met' : 'not met'}`);
}

/** The other sections' rows (the cost table has its own): #, what, figure, bar, verdict. */
export function rows(r, v = judge(r)) {
  const out = [];
  if (r.stall) {
    const p = r.stall.package;
    out.push([
      '1',
      '/health p99 during a block / the same probe idle before it (package)',
      `${fmt(p.p99Ms)} / ${fmt(p.idleP99Ms, ' ms')}`,
      v.stall.bar,
      verdict(v.stall),
    ]);
    out.push(['1', '/health p50 / max during a block (package)', `${fmt(p.p50Ms)} / ${fmt(p.maxMs, ' ms')}`, '', '']);
    const c = r.stall['prom-client'];
    out.push([
      '1',
      '/health p99 idle / max during a block (main-thread http + prom-client)',
      `${fmt(c.idleP99Ms)} / ${fmt(c.maxMs, ' ms')}`,
      'comparison',
      '',
    ]);
  }
  if (r.detection) {
    out.push([
      '2',
      'block start → first 503, less the threshold (package)',
      fmt(r.detection.package.detectMinusThresholdMs, ' ms'),
      v.detect.bar,
      verdict(v.detect),
    ]);
    out.push(['2', 'block end → first 200 (package)', fmt(r.detection.package.recoverMs, ' ms'), v.recover.bar, verdict(v.recover)]);
    const b = r.detection['bare-otel'];
    out.push([
      '2',
      'main-thread server: runs with a 503 while blocked / at all',
      `${fmt(b.runsWith503WhileBlocked)} / ${b.runsWith503} of ${b.runs}`,
      'comparison',
      '',
    ]);
  }
  if (r.scrapeCost) {
    const s = r.scrapeCost;
    const modes = ['package', 'package-lean', 'bare-otel', 'prom-client'];
    const each = (f) => modes.map((m) => f(s[m])).join(' / ');
    out.push([
      '4',
      'modes below: package / package, defaultMetrics off / bare OTel (same 2 gauges as lean) / prom-client',
      each((x) => `${x.bytes} B`),
      '',
      '',
    ]);
    out.push(['4', '/metrics p50, one scraper (keep-alive), ms', each((x) => x.sequential.p50Ms), '', '']);
    out.push(['4', '/metrics p99, one scraper (keep-alive), ms', each((x) => x.sequential.p99Ms), '', '']);
    out.push(['4', 'main-thread busy time per scrape, one scraper, ms', each((x) => x.mainThreadMsPerScrape), '', '']);
    out.push(['4', `/metrics req/s at c${r.params.cannonConnections[0]}`, each((x) => x.c1.rps), '', '']);
    out.push(['4', `/metrics req/s at c${r.params.cannonConnections[1]}`, each((x) => x.c16.rps), '', '']);
    out.push(['4', `/metrics mean / p99 at c${r.params.cannonConnections[1]}, ms`, each((x) => `${x.c16.meanMs}/${x.c16.p99Ms}`), '', '']);
    const full = ratioToBareOtel(s, 'package');
    const lean = ratioToBareOtel(s, 'package-lean');
    out.push(['4', 'latency ratio to bare OTel, lean: c1 p99, c16 mean', `${lean.c1P99}, ${lean.c16Mean}`, 'retired (Notes)', '']);
    out.push([
      '4',
      'latency ratio to bare OTel, with default metrics: c1 p99, c16 mean',
      `${full.c1P99}, ${full.c16Mean}`,
      '(more content)',
      '',
    ]);
  }
  if (r.memory) {
    out.push(['5', 'RSS overhead, on − off (no OpenTelemetry), at the end', fmt(r.memory.rssOverheadMB, ' MB'), 'retired (Notes)', '']);
    out.push(['5', 'RSS overhead, on − off with the OTel metrics SDK already in use', fmt(r.memory.rssOverheadOverOtelMB, ' MB'), '', '']);
    out.push(['5', 'RSS overhead, defaultMetrics off − off', fmt(r.memory.leanRssOverheadMB, ' MB'), '', '']);
    out.push([
      '5',
      'RSS, on − main-thread node:http + prom-client under the same traffic',
      fmt(r.memory.rssOverConventionalMB, ' MB'),
      'comparison',
      '',
    ]);
    out.push([
      '5',
      `growth of used V8 heap + external memory after a GC of both threads, main / health thread, over ${r.params.memGrowthPhases} phases after the first (the fitted line)`,
      `${fmt(r.memory.mainGrowthMB)} / ${fmt(r.memory.threadGrowthMB, ' MB')}`,
      v.memoryGrowth.bar,
      verdict(v.memoryGrowth),
    ]);
    out.push([
      '5',
      'RSS growth over the same phases (the fitted line): on · defaultMetrics off · the conventional server',
      `${fmt(r.memory.rssGrowthMB)} · ${fmt(r.memory.leanRssGrowthMB)} · ${fmt(r.memory.conventionalRssGrowthMB, ' MB')}`,
      'retired (Notes)',
      '',
    ]);
  }
  if (r.scale) {
    for (const [series, x] of Object.entries(r.scale.package)) {
      const b = r.scale['bare-otel'][series];
      out.push([
        '6',
        `scrape time / main-thread time per scrape with ${series} app series: package · bare OTel`,
        `${x.medianMs} / ${x.mainThreadMsPerScrape} · ${fmt(b?.medianMs)} / ${fmt(b?.mainThreadMsPerScrape, ' ms')} (${x.bytes} B)`,
        '',
        '',
      ]);
    }
  }
  return out;
}

function textTable(all) {
  const widths = all[0].map((_, i) => Math.max(...all.map((row) => String(row[i]).length)));
  return all
    .map((row) =>
      row
        .map((cell, i) =>
          String(cell)
            .replace(/\*\*|`/g, '')
            .padEnd(widths[i]),
        )
        .join('  '),
    )
    .join('\n');
}

const mdTable = (head, body) =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...body.map((row) => `| ${row.join(' | ')} |`)].join('\n');
const COST_HEAD = [
  'set-up',
  'throughput vs nothing',
  'RSS over nothing after a forced GC, MiB',
  'RSS over nothing without one, MiB',
  'main-thread heap over nothing, MiB',
];
const HEAD = ['#', 'what', 'figure', 'bar', ''];

export function renderTable(r) {
  const v = judge(r);
  const parts = [];
  if (r.cost) parts.push(textTable([COST_HEAD, ...costRows(r, 'cost')]));
  if (r.costAllocating) parts.push(textTable([COST_HEAD, ...costRows(r, 'costAllocating')]));
  if (r.throughput || r.throughputAllocating) {
    const { head, rows: body } = throughputRows(r);
    parts.push(textTable([head, ...body]));
  }
  if (r.cost || r.costAllocating) parts.push(costGoals(r, v).join('\n'));
  parts.push(textTable([HEAD, ...rows(r, v)]));
  const load = Object.values(judgeMetricsLoad(r));
  if (load.length) parts.push(load.map((x) => `${x.bar}: ${x.figure}: ${x.met ? 'met' : 'not met'}`).join('\n'));
  return parts.join('\n\n');
}

/** BENCHMARKS.md from a results.json and, when given, a fleet-results.json (fleet.mjs). */
export function renderMarkdown(r, fleet) {
  const m = r.machine;
  const P = r.params;
  const v = judge(r);
  const banner = r.quick
    ? '> **Quick smoke run** (one short iteration of each): the figures below are not the benchmark.\n\n'
    : r.partial
      ? '> **Partial run** (`BENCH_ONLY`): only some sections were measured.\n\n'
      : '';
  const costTable = (section, title) => (r[section] ? `${title}\n\n${mdTable(COST_HEAD, costRows(r, section))}\n\n` : '');
  const costIntro = (c) =>
    `Median of ${c.rounds} rounds, with the lowest and highest round in brackets; the first row's range is the noise of the method. RSS is read at the end of each run twice: without a forced GC (as a container's memory limit sees it), then after \`gc()\` on the main thread (which does not collect another thread's heap).\n\n`;
  const goals = costGoals(r, v);
  const cost =
    r.cost || r.costAllocating || r.throughput || r.throughputAllocating
      ? `## Cost on a CPU-bound worker

${costTable('cost', `**Sorting** (\`task\`: sorting ${SORT_SIZES.task} numbers a task)`)}${costTable('costAllocating', '**Allocating** (`hash`: SHA-256 of fresh 4 KiB buffers, 40 a task)')}${r.cost || r.costAllocating ? costIntro(r.cost ?? r.costAllocating) : ''}${throughputSection(r, mdTable)}${
  goals.length
    ? `The goals, judged from the medians above (throughput against the floor side by side, where that ran):

${goals.map((line) => `- ${line.replace(/: (not met|met)$/, (_, x) => `: **${x}**`)}`).join('\n')}

`
    : ''
}${memoryBreakdownSection(r)}`
      : '';
  return `# Benchmarks

${banner}Measured ${r.date.slice(0, 10)} by \`pnpm bench\` (${r.seconds} s) on ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}; load average (1, 5, 15 min) ${m.loadAverageAtStart.join(', ')} at the start and ${m.loadAverageAtEnd.join(', ')} at the end.
Every figure below comes from [\`bench/results.json\`](bench/results.json), written by the same run; comparisons were measured side by side in it.
Reproduce with \`npx -y pnpm@12.4.2 bench\` (it rewrites both files).

${cost}${metricsLoadSection(r)}${stallReportsSection(r)}## Other sections

${mdTable(HEAD, rows(r, v))}

## How each figure is measured

Each target is a separate Node process (\`bench/target.mjs\`, set-ups in \`bench/setups.mjs\`) driven over stdin. The \`/health\` probes of sections 1 and 2 come from a third process (\`packages/testing/src/prober.ts\`): a fresh connection per probe, as a kubelet makes, with a prepared request on a raw socket, so that no HTTP client's own work is in the figures.

1. **/health during a stall.** Threshold ${P.stallThresholdSeconds} s. The prober fires \`GET /health\` every ${P.stallProbeEveryMs} ms without waiting for answers: ${P.stallLeadMs / 1000} s with the target idle, then while the target blocks its main thread for ${P.stallMs / 1000} s with a busy loop. Latencies of the probes sent before the block (idle) and during it, median of ${P.stallRuns} runs. Compared with the conventional setup: \`node:http\` on the main thread next to prom-client's \`collectDefaultMetrics\`, which cannot answer until the block ends (its max is about the block's length).
2. **Detection latency.** Threshold ${P.detectThresholdSeconds} s, block ${P.detectBlockMs / 1000} s, \`GET /health\` every ${P.detectProbeEveryMs} ms: time from the block's start (stamped by the target just before it) to the first 503 received, minus the threshold; and from the block's end to the first 200. Median of ${P.detectRuns} runs. Compared with the same health state served from the main thread (bare exporter-prometheus target): it answers only after the loop resumes, so it cannot report the block while it lasts (it may answer 503 afterwards, to probes that queued during the block).
3. **Cost on a CPU-bound worker.** The worker (\`bench/work.mjs\`) runs tasks one after another, yielding to the event loop between them, for ${P.costRunMs / 1000} s: on the sorting workload (\`task\`) each sorts numbers from a fixed pseudo-random sequence, on the allocating one (\`hash\`) each hashes 40 fresh 4 KiB buffers with \`node:crypto\`; meanwhile the bench probes \`/health\` every ${P.costProbeEveryMs} ms and scrapes \`/metrics\` every ${P.costScrapeEveryMs / 1000} s, each on a fresh connection. Each round starts one fresh worker process per set-up, in an order that rotates each round. The process runs the work once with nothing started (the traffic then goes to a decoy process, so the machine carries the same load), starts its set-up, waits ${P.costSettleMs / 1000} s, and runs the work again with the traffic on the set-up; at the end of each run RSS is read without a forced GC, then RSS and main-thread heap after \`gc()\`. A set-up's figure in a round is its second run against its first (throughput ratio; RSS and heap growth), against the median of the same figure over the "nothing started" processes, which run twice with nothing: so the "nothing started" row's range is the noise of the method itself. The main-thread heap leaves out the heap of any worker thread; RSS counts the whole process.
4. **Scrape cost.** ${P.cannonRuns} rounds; in each, every target in turn gets ${P.sequentialScrapes} scrapes one after another on one keep-alive connection (the one-scraper latency, to the microsecond; the target's main-thread event-loop active time over them, per scrape) and autocannon on \`/metrics\` for ${P.cannonSeconds} s at ${P.cannonConnections.join(' and at ')} connections. All targets run side by side for the whole section. Targets: this package (worker gauges, process and runtime metrics), the same with \`defaultMetrics: false\`, bare \`@opentelemetry/exporter-prometheus\` serving the same two gauges from the main thread, and prom-client with default metrics plus two gauges. These expose different amounts of text (bytes in the table).
5. **Memory.** Targets: healthcheck on (defaults); the same again in a process of its own whose health thread the bench starts through its wrapper \`bench/thread-stats.mjs\`, which can collect the thread's heap and say its size (the heaps of the growth bar: its collections stay out of the RSS figures of "on"); on with \`defaultMetrics: false\`; off (no OpenTelemetry); off with the OTel metrics SDK in use; and the conventional main-thread server (node:http and prom-client). Every target that serves gets the same traffic. Phase A: ${P.memPhaseA / 1000} s of \`/metrics\` every ${P.memScrapeEveryMs / 1000} s with ${P.memHealthA} \`/health\` requests (autocannon, ${P.memConnections} connections); then ${P.memGrowthPhases} phases B of ${P.memPhaseB / 1000} s with ${P.memHealthB} each. At the end of phase A and of each phase B: every target's RSS and main-thread heap after \`gc()\` of its main thread; then, in the second healthcheck process, each thread's used V8 heap and external memory after a GC of both threads (\`--expose-gc\` applies to the whole process, so the health thread can collect too; the bench stops if it did not). Overhead = on − off at the end; growth = the rise, from the first reading to the last, of the least-squares line through those ${P.memGrowthPhases + 1} readings (a leak is a trend; one reading against another also holds the allocator's moment-to-moment sizing).
6. **Scale.** ${P.scaleScrapes} sequential scrapes, each on a fresh connection, with ${P.scale.join(' / ')} counter series registered on the application's MeterProvider (for this package, through a \`HealthcheckMetricReader\` passed as \`metricReader\`), and the target's main-thread active time over them.

## Notes

${notes(r, v)}

${fleet ? `${fleetMarkdown(fleet)}\n` : ''}## Diagnostics outside \`pnpm bench\`

These scripts answer narrower questions; their figures are not in this file (run them to get yours): \`node bench/probe-floor.mjs\` (what a \`/health\` probe costs with nothing blocked, connect / first byte / end), \`node --expose-gc bench/memory-breakdown.mjs\` (RSS of an idle worker thread, of the first package a process loads, of \`node:http\` on the main thread and in a thread, of the healthcheck), \`node bench/churn.mjs\` (RSS over many start/shutdown cycles in one process, and where in the address space it sits), \`node bench/heap-growth.mjs [phases]\` (the memory section's growth figures over longer traffic: after each phase of 50 000 \`/health\` requests, RSS by kind of mapping and each thread's used heap after a GC of both threads).
`;
}

/** The analysis below the tables, computed from the run's results. */
export function notes(r, v = judge(r)) {
  const lines = [];
  if (r.stall) {
    const p = r.stall.package;
    const c = r.stall['prom-client'];
    lines.push(
      `- **/health during a stall.** p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms, max ${p.maxMs} ms over ${p.probes} probes per run, ${p.errors} errors; the same probe against the same server before the block: p50 ${p.idleP50Ms} / p99 ${p.idleP99Ms} ms over ${p.idleProbes} probes. The bar (during-block p99 ≤ 1.5 × idle p99) is ${v.stall.met ? 'met' : 'not met'}. The main-thread server answered its first probe of the block only after ${c.maxMs} ms (idle p99 ${c.idleP99Ms} ms).`,
    );
  }
  if (r.detection) {
    const d = r.detection.package;
    const b = r.detection['bare-otel'];
    lines.push(
      `- **Detection.** ${d.runsWith503} of ${d.runs} blocks reported: 503 seen a median ${d.detectMinusThresholdMs} ms after the threshold (the heartbeat runs every \`heartbeatIntervalMs\`, the probe every ${r.params.detectProbeEveryMs} ms), 200 again ${d.recoverMs} ms after the block ended. Served from the main thread, the same health state answered 503 while blocked in ${b.runsWith503WhileBlocked} of ${b.runs} runs${b.runsWith503 ? `, and in ${b.runsWith503} only after the block ended (to probes queued during it)` : ''}.`,
    );
  }
  if (r.cost) {
    const c = r.cost;
    const taskMs = round(1000 / c.nothing.itemsPerSecond, 2);
    const failed = COST_ROWS.reduce((s, { key }) => s + c[key].failedRequests, 0);
    const requests = COST_ROWS.reduce((s, { key }) => s + c[key].requests, 0);
    lines.push(
      `- **Cost.** With nothing started the worker did ${c.nothing.itemsPerSecond} tasks a second (${taskMs} ms a task, with the yields). With defaults: throughput ${c.defaults.throughputRatio.median} of nothing, RSS +${c.defaults.rssOverNothingMiB.median} MiB, main-thread heap +${c.defaults.heapOverNothingMiB.median} MiB; the floor: ${c.floor.throughputRatio.median}, +${c.floor.rssOverNothingMiB.median} MiB, +${c.floor.heapOverNothingMiB.median} MiB; the peer: ${c.peer.throughputRatio.median}, +${c.peer.rssOverNothingMiB.median} MiB, +${c.peer.heapOverNothingMiB.median} MiB. \`defaultMetrics: false\` gives ${c.lean.throughputRatio.median} and +${c.lean.rssOverNothingMiB.median} MiB; \`gcMetrics: true\` (observing every garbage collection) ${c.gc.throughputRatio.median} and +${c.gc.rssOverNothingMiB.median} MiB; the application's \`metricReader\` with ${c.series} series ${c.reader.throughputRatio.median} and +${c.reader.rssOverNothingMiB.median} MiB (its MeterProvider and series included). With nothing started twice, the rounds ranged ${c.nothing.throughputRatio.min} – ${c.nothing.throughputRatio.max} in throughput and ${c.nothing.rssOverNothingMiB.min} – ${c.nothing.rssOverNothingMiB.max} MiB in RSS: a difference between rows smaller than that is noise. Event-loop delay p99 during the second run: ${COST_ROWS.map(({ key }) => `${key} ${c[key].eventLoopDelayP99Ms}`).join(', ')} ms. ${failed} of ${requests} requests failed.`,
    );
  }
  if (r.scrapeCost) {
    const s = r.scrapeCost;
    const lean = ratioToBareOtel(s, 'package-lean');
    const full = ratioToBareOtel(s, 'package');
    lines.push(
      `- **Scrape cost.** With \`defaultMetrics: false\` (the two gauges, the two block families and \`target_info\`), the package scrapes at ${lean.c1P99}× bare exporter-prometheus's p99 with one scraper (${lean.c1P50}× at the median) and ${lean.c16Mean}× its mean latency at ${r.params.cannonConnections[1]} connections (req/s ${lean.c16Rps}×). An older bar held this at 1.2×; it is retired: the lean page is no longer like for like (it carries the stall-report families, ${s['package-lean'].bytes} bytes against bare OTel's ${s['bare-otel'].bytes}), and what a scrape may cost is now held by the goals of "/health while /metrics works" (no probe waits for a page, a page of 100 000 series as fast as prom-client's), which a fraction of a millisecond on a small page does not touch. With the default metrics it serves ${s.package.bytes} bytes instead of ${s['package-lean'].bytes}, at ${full.c1P50}× bare OTel's median; its main thread is busy ${s.package.mainThreadMsPerScrape} ms per scrape (${s['package-lean'].mainThreadMsPerScrape} ms with \`defaultMetrics: false\`, ${s['bare-otel'].mainThreadMsPerScrape} ms for bare OTel serving from the main thread). prom-client's default metrics take ${s['prom-client'].mainThreadMsPerScrape} ms of the main thread per scrape and fall to ${s['prom-client'].c16.rps} req/s at ${r.params.cannonConnections[1]} connections, since every scrape runs there.`,
    );
  }
  if (r.memory) {
    const m = r.memory;
    const g = m.growthReadings;
    // The requests and scrapes between the first reading and the last, which the fitted line spans.
    const spanRequests = r.params.memGrowthPhases * r.params.memHealthB;
    const spanScrapes = (r.params.memGrowthPhases * r.params.memPhaseB) / r.params.memScrapeEveryMs;
    lines.push(
      `- **Memory.** On − off: ${m.rssOverheadMB} MB RSS against a process without OpenTelemetry that serves nothing, ${m.rssOverheadOverOtelMB} MB against one that already uses the OTel metrics SDK, ${m.rssOverConventionalMB} MB against the conventional main-thread server (node:http and prom-client) under the same traffic; ${m.leanRssOverheadMB} MB with \`defaultMetrics: false\`. Growth, along the line through the readings after the first phase, after ${m.healthRequestsEach} \`/health\` requests and a scrape every ${r.params.memScrapeEveryMs / 1000} s (${m.errors} errors): after a GC of both threads, the main thread's used V8 heap moved by ${signed(m.mainHeapGrowthMB)} MB (readings ${g.mainHeap.join(', ')} MB) and its external memory by ${signed(m.mainExternalGrowthMB)} MB (${g.mainExternal.join(', ')}); the health thread's heap by ${signed(m.threadHeapGrowthMB)} MB (${g.threadHeap.join(', ')}) and its external memory by ${signed(m.threadExternalGrowthMB)} MB (${g.threadExternal.join(', ')}). The growth bar holds each thread's heap and external memory together at 1 MB, which a leak of ${round(2 ** 20 / spanRequests, 1)} bytes per \`/health\` request, or of ${round(2 ** 20 / spanScrapes / 1024, 1)} KiB per scrape (${spanScrapes} scrapes or more), would reach over the phases the line spans: ${v.memoryGrowth.met ? 'met' : 'not met'}. RSS moved by ${signed(m.rssGrowthMB)} MB (readings ${g.onRss.join(', ')} MB), ${signed(m.leanRssGrowthMB)} MB with \`defaultMetrics: false\`, and ${signed(m.conventionalRssGrowthMB)} MB for the conventional server under the same traffic. An older bar held RSS growth at 1 MB; it is retired for the heap bar: RSS also holds what the allocator's arenas and V8's page pools keep for reuse, which moves with the traffic and not only with what a program keeps (the readings of "on" stray from their own fitted line by up to ${round(largestStray(g.onRss), 1)} MB), while what the package's JavaScript keeps is in a heap or in its external memory, both read after a GC. An older bar held on − off at 20 MB; it is retired for the cost table's goal (RSS over nothing ≤ the floor's + 4 MiB, on two workloads, with and without a forced GC): on − off counts the worker thread itself, which no design with a thread avoids (the floor, a bare thread, costs ${r.cost?.floor ? `${r.cost.floor.rssOverNothingMiB.median} MiB` : 'about 11 MiB'} in the cost table), so the goal that can be held is the healthcheck's cost over the floor.`,
    );
  }
  if (r.scale) {
    const p = r.scale.package;
    const b = r.scale['bare-otel'];
    const keys = Object.keys(p);
    const [first, last] = [keys[0], keys.at(-1)];
    lines.push(
      `- **Scale.** From ${first} to ${last} application series, a scrape went from ${p[first].medianMs} to ${p[last].medianMs} ms here (+${round(p[last].medianMs - p[first].medianMs)} ms; main thread ${p[first].mainThreadMsPerScrape} → ${p[last].mainThreadMsPerScrape} ms a scrape), and from ${b[first].medianMs} to ${b[last].medianMs} ms with bare exporter-prometheus (+${round(b[last].medianMs - b[first].medianMs)} ms; main thread ${b[first].mainThreadMsPerScrape} → ${b[last].mainThreadMsPerScrape} ms).`,
    );
  }
  return lines.join('\n');
}

/** Where the report of the results in `dir` goes: the repository's BENCHMARKS.md for bench/ itself, else beside them. */
export function reportPath(dir) {
  return realpathSync(dir) === realpathSync(BENCH_DIR) ? join(BENCH_DIR, '..', 'BENCHMARKS.md') : join(dir, 'BENCHMARKS.md');
}

/**
 * Reads `dir`/results.json (and `dir`/fleet-results.json when there is one), writes its BENCHMARKS.md
 * and prints the tables; then, when the results
 * have the stall timeline, draws the chart (chart.mjs). Resolves once the chart is written.
 */
export function writeReport(dir, log = (line) => process.stdout.write(`${line}\n`)) {
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  const fleetFile = join(dir, 'fleet-results.json');
  const fleet = existsSync(fleetFile) ? JSON.parse(readFileSync(fleetFile, 'utf8')) : undefined;
  const md = reportPath(dir);
  writeFileSync(md, renderMarkdown(results, fleet));
  log(`\n${renderTable(results)}\n\nwrote ${md}`);
  if (!results.stall) return Promise.resolve();
  if (!hasChartData(results)) {
    log('no chart: the stall section of these results has no timeline (it was measured before run.mjs kept one)');
    return Promise.resolve();
  }
  return writeChart(dir).then((file) => log(`wrote ${file}`));
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) await writeReport(process.argv[2] ?? BENCH_DIR);

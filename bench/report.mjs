// Renders results.json as a terminal table and as BENCHMARKS.md.
import { round } from './lib.mjs';
const fmt = (value, unit = '') => (value === null || value === undefined || Number.isNaN(value) ? 'n/a' : `${value}${unit}`);
const pass = (bar) => (bar ? (bar.resolved === false ? '**noise too high to judge**' : bar.met ? 'met' : '**not met**') : '');

export function rows(r) {
  const out = [];
  if (r.stall) {
    out.push(['1', '/health p50 / p99 / max during a block (package)', `${fmt(r.stall.package.p50Ms)} / ${fmt(r.stall.package.p99Ms)} / ${fmt(r.stall.package.maxMs, ' ms')}`, 'p99 ≤ 5 ms', pass(r.stall.bar)]);
    out.push(['1', '/health max during a block (main-thread http + prom-client)', fmt(r.stall['prom-client'].maxMs, ' ms'), 'comparison', '']);
    if (r.stall.package.idleP99Ms !== undefined) {
      out.push(['1', 'the same probe before the block, p50 / p99: package / main-thread server', `${r.stall.package.idleP50Ms}/${r.stall.package.idleP99Ms} · ${r.stall['prom-client'].idleP50Ms}/${fmt(r.stall['prom-client'].idleP99Ms, ' ms')}`, 'baseline', '']);
    }
  }
  if (r.detection) {
    out.push(['2', 'block start → first 503, less the threshold (package)', fmt(r.detection.package.detectMinusThresholdMs, ' ms'), '≤ 150 ms', pass(r.detection.bar)]);
    out.push(['2', 'block end → first 200 (package)', fmt(r.detection.package.recoverMs, ' ms'), '≤ 150 ms', '']);
    const b = r.detection['bare-otel'];
    out.push(['2', 'main-thread server: runs with a 503 while blocked / at all', `${fmt(b.runsWith503WhileBlocked)} / ${b.runsWith503} of ${b.runs}`, 'comparison', '']);
  }
  if (r.overhead) {
    for (const w of ['js', 'crypto']) {
      const o = r.overhead[w];
      out.push(['3', `worker throughput on / off, ${w} work items`, fmt(o.throughputRatio), w === 'js' ? '≥ 0.99' : '', w === 'js' ? pass(r.overhead.bar) : '']);
      out.push(['3', `  noise floor, off again / off (${w})`, fmt(o.noiseRatio), '', '']);
      out.push(['3', `  event-loop delay p99 on / off (${w})`, `${fmt(o.on.eventLoopDelayP99Ms)} / ${fmt(o.off.eventLoopDelayP99Ms, ' ms')}`, '', '']);
    }
  }
  if (r.scrapeCost) {
    const s = r.scrapeCost;
    const modes = ['package', 'package-lean', 'bare-otel', 'prom-client'];
    const each = (f) => modes.map((m) => f(s[m])).join(' / ');
    out.push(['4', 'modes below: package / package, defaultMetrics off / bare OTel (same 2 gauges as lean) / prom-client', each((x) => `${x.c1.bytes} B`), '', '']);
    out.push(['4', '/metrics p50, one scraper (keep-alive), ms', each((x) => x.sequential.p50Ms), '', '']);
    out.push(['4', '/metrics p99, one scraper (keep-alive), ms', each((x) => x.sequential.p99Ms), '', '']);
    out.push(['4', '/metrics req/s at c1', each((x) => x.c1.rps), '', '']);
    out.push(['4', '/metrics req/s at c16', each((x) => x.c16.rps), '', '']);
    out.push(['4', '/metrics mean / p99 at c16, ms', each((x) => `${x.c16.meanMs}/${x.c16.p99Ms}`), '', '']);
    const lean = s.ratioToBareOtel.packageLean;
    const full = s.ratioToBareOtel.package;
    out.push(['4', 'latency ratio to bare OTel, lean: c1 p99, c16 mean', `${lean.c1P99}, ${lean.c16Mean}`, '≤ 1.2', pass(s.bar)]);
    out.push(['4', 'latency ratio to bare OTel, with default metrics: c1 p99, c16 mean', `${full.c1P99}, ${full.c16Mean}`, '(more content)', '']);
  }
  if (r.memory) {
    out.push(['5', 'RSS overhead, on − off (no OpenTelemetry), at the end', fmt(r.memory.rssOverheadMB, ' MB'), '≤ 20 MB', pass(r.memory.bar)]);
    out.push(['5', 'RSS overhead, on − off with the OTel metrics SDK already in use', fmt(r.memory.rssOverheadOverOtelMB, ' MB'), '', '']);
    out.push(['5', 'RSS overhead, defaultMetrics off − off', fmt(r.memory.leanRssOverheadMB, ' MB'), '', '']);
    if (r.memory.rssOverConventionalMB !== undefined) {
      out.push(['5', 'RSS, on − main-thread node:http + prom-client under the same traffic', fmt(r.memory.rssOverConventionalMB, ' MB'), 'comparison', '']);
    }
    out.push(['5', 'RSS / heap growth of "on" after the first phase', `${fmt(r.memory.rssGrowthAfterPhaseAMB)} / ${fmt(r.memory.heapGrowthAfterPhaseAMB, ' MB')}`, 'no growth', '']);
  }
  if (r.scale) {
    for (const [series, v] of Object.entries(r.scale.package)) {
      out.push(['6', `scrape time with ${series} app series: package / bare OTel`, `${v.medianMs} / ${fmt(r.scale['bare-otel'][series]?.medianMs, ' ms')} (${v.bytes} B)`, '', '']);
    }
  }
  return out;
}

export function renderTable(r) {
  const all = [['#', 'what', 'figure', 'bar', ''], ...rows(r)];
  const widths = all[0].map((_, i) => Math.max(...all.map((row) => String(row[i]).length)));
  return all.map((row) => row.map((cell, i) => String(cell).replace(/\*\*/g, '').padEnd(widths[i])).join('  ')).join('\n');
}

export function renderMarkdown(r) {
  const m = r.machine;
  const table = ['| # | what | figure | bar | |', '| --- | --- | --- | --- | --- |', ...rows(r).map((row) => `| ${row.join(' | ')} |`)].join('\n');
  return `# Benchmarks

${r.quick ? '> **Quick smoke run** (one short iteration of each): the figures below are not the benchmark.\n\n' : ''}Measured ${r.date.slice(0, 10)}${r.updated ? ` (sections re-measured since: ${Object.entries(r.updated).map(([k, d]) => `${k} ${d.slice(0, 16).replace('T', ' ')}`).join(', ')})` : ''} by \`pnpm bench\` on ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}.
Every figure is a median over repeated runs (counts below); comparisons were measured side by side in the same run.
Raw figures: [\`bench/results.json\`](bench/results.json).

${table}

## How each figure is measured (reproduce with \`npx -y pnpm@12.4.2 bench\`, or \`BENCH_ONLY=stall,detection pnpm bench\` for some)

Each target is a separate Node process (\`bench/target.mjs\`) driven over stdin. The \`/health\` probes of sections 1 and 2 come from a third process (\`bench/prober.mjs\`): a fresh connection per probe, as a kubelet makes, with a prepared request on a raw socket, so that no HTTP client's own work is in the figures.

1. **/health during a stall.** The target blocks its main thread for ${r.params.stallMs / 1000} s with a busy loop; the prober fires \`GET /health\` every 20 ms without waiting for answers. Latencies of probes sent during the block, median of ${r.params.stallRuns} runs. Compared with the conventional setup: \`node:http\` on the main thread next to prom-client's \`collectDefaultMetrics\`, which cannot answer until the block ends (its max is about the block's length).
2. **Detection latency.** Threshold 1 s, block ${r.params.detectBlockMs / 1000} s, \`GET /health\` every 10 ms: time from the block's start (stamped by the target just before it) to the first 503 received, minus the threshold; and from the block's end to the first 200. Median of ${r.params.detectRuns} runs. Compared with the same health state served from the main thread (bare exporter-prometheus target): it answers only after the loop resumes, so it cannot report the block while it lasts (it may answer 503 afterwards, to probes that queued during the block). The Python SDK's design (a sampler every 0.5 s on the listener's own asyncio loop, and a server on that loop) has the same blind spot on paper: its sampler and its server run only when the loop does.
3. **Overhead.** One target process runs fixed CPU-bound work items, yielding to the event loop between items (\`js\`: ${r.params.workItems.js} items, each sorting 2 000 numbers; \`crypto\`: ${r.params.workItems.crypto} items, each 8 × SHA-256 of 16 KiB), in ${r.params.workRuns} rounds of three runs: healthcheck off, on, off again (order rotating), started and shut down inside the same process, because the bench measured differences of several percent between identical processes. Each run starts ${(r.params.workSettleMs ?? 0) / 1000} s after the switch, so that it measures the healthcheck running, not starting. While on, the bench scrapes \`/metrics\` every second and probes \`/health\` every 100 ms (a decoy process gets that traffic while off). Ratio = median over rounds of on/off within the round; "off again / off" is the noise floor of the same measurement. Event-loop delay p99 from \`monitorEventLoopDelay\` in the target.
4. **Scrape cost.** ${r.params.cannonRuns} rounds; in each, every target in turn gets ${r.params.sequentialScrapes} scrapes one after another on one keep-alive connection (the one-scraper latency, to the microsecond) and autocannon on \`/metrics\` for ${r.params.cannonSeconds} s at 1 and at 16 connections. All targets run side by side for the whole section. Targets: for this package (worker gauges, process and runtime metrics, main-thread round trip), bare \`@opentelemetry/exporter-prometheus\` serving the same two gauges from the main thread, and prom-client with default metrics plus two gauges. These expose different amounts of text (bytes in results.json); see the notes.
5. **Memory.** Targets: healthcheck on, on with \`defaultMetrics: false\`, off (no OpenTelemetry), off with the OTel metrics SDK in use, and the conventional main-thread server (node:http and prom-client), which gets the same traffic as the healthchecks. Phase A: ${r.params.memPhaseA / 1000} s of \`/metrics\` every second with ${r.params.memHealthA} \`/health\` requests (autocannon, 16 connections); phase B: ${r.params.memPhaseB / 1000} s more with ${r.params.memHealthB}. RSS and main-thread heap after \`gc()\`. Overhead = on − off at the end; growth = end − end of phase A.
6. **Scale.** ${r.params.scaleScrapes} sequential scrapes with 10 … 10 000 counter series registered on the application's MeterProvider.

## Notes

${notes(r)}
`;
}

// Figures measured outside the benchmark's own runs, on 2026-11-29, with the command named in each (and the spread of
// this section over the day's runs, which one results.json cannot show).
const PROBE_FLOOR =
  'What a probe costs on this machine with nothing blocked (`node bench/probe-floor.mjs`, medians of 300 probes): connect, first byte, end of answer ' +
  '0.2 / 0.25 / 0.14 ms back to back, but 0.54 / 0.76 / 0.21 ms with 20 ms between probes, for the health thread and for a plain node:http server in ' +
  'another process alike (0.52 / 0.71 / 0.22 ms): an idle virtual CPU takes about 0.3 ms to wake at each step. The p99 of such probes on an idle server ' +
  'is the figure in the table row "the same probe before the block".';
const OVERHEAD_ANALYSIS =
  'Where the cost is (`node bench/runtime-cost.mjs`: one process, 12 rounds, the js work with each piece alone; two runs): the whole ' +
  'instrumentation-runtime-node, collected once a second, 0.987 and 0.974; a `PerformanceObserver` of GC entries alone (what its GC-duration ' +
  'histogram rests on; about 39 collections a second) 0.994 and 0.977; its 10 ms event-loop-delay histogram 1.009 and 1.000; noise (nothing against ' +
  'nothing again) 1.006 and 0.999. So the default runtime metrics cost allocation-heavy JavaScript about 1–2.5 %, most of it the GC histogram, and the ' +
  'crypto work nothing measurable. With `defaultMetrics: false` this section gave 1.024 (js, noise 1.012) and 0.991 (crypto, noise 1.003). This ' +
  'machine moves the js ratio between runs: three runs of this section with the default metrics gave 1.000 (noise 1.006), 0.935 (noise 0.958) and ' +
  '0.974 (noise 1.011). Runs of 0.5 s started right after `startWorkerHealthcheck` gave 0.95 (noise 0.99): the first moments, while the thread ' +
  'loads and compiles, cost more, once.';
const SCRAPE_BREAKDOWN =
  'Where the time of a default scrape goes (`node bench/scrape-breakdown.mjs`, three runs, medians of 500 scrapes): the main thread\'s part ' +
  '(instrumentation-runtime-node collected and serialized, about 4.3 KB) 0.62–1.11 ms; a whole scrape 1.76–2.60 ms; a scrape with `defaultMetrics: false` ' +
  '0.43–0.58 ms. The rest of a default scrape, 0.97–1.49 ms, is the HTTP exchange, the two message hops between the threads and the thread\'s own part ' +
  '(the gauges, process metrics, serializing about 6 KB).';
const MEMORY_BREAKDOWN =
  'Where it goes (`node bench/memory-breakdown.mjs`, RSS growth in fresh processes, median of 3): an idle worker thread 9.4 MB; the first package ' +
  'a process loads (@opentelemetry/api) 6.5 MB, which the bare "off" process never pays and any real worker does; a plain node:http server under ' +
  '3000 fresh-connection requests 19.1 MB on the main thread and 28.2 MB in a worker thread: 9.1 MB is the price of serving from a thread at all, ' +
  'before any OpenTelemetry. Bundling the health thread into one file (the build does) saved 4.4 MB against the same build unbundled (3 runs each, ' +
  '38.2 → 33.8 MB after the same traffic). Capping the thread\'s young generation at 2 MB (one run: 28.3 MB on − off) stayed within the spread of uncapped runs (28.3–29.8 MB, three runs) and was not adopted.';

/** The analysis below the table: figures come from this run's results, except where a line says otherwise. */
export function notes(r) {
  const lines = [];
  if (r.stall) {
    const p = r.stall.package;
    lines.push(`- **/health during a stall.** p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms, max ${p.maxMs} ms over ${p.probes} probes per run, ${p.errors} errors, while the main-thread server answered its first probe only after ${r.stall['prom-client'].maxMs} ms. ${r.stall.bar.met ? 'The p99 bar is met.' : `The 5 ms p99 bar is not met here, and cannot be shown on this machine for any server: the same probe against the same server before the block had p50 ${p.idleP50Ms ?? '?'} / p99 ${p.idleP99Ms ?? '?'} ms, and ${r.stall['prom-client'].idleP50Ms ?? '?'} / ${r.stall['prom-client'].idleP99Ms ?? '?'} ms against the main-thread server. ${p.p99Ms > (p.idleP99Ms ?? Infinity) ? 'During the block the tail was longer than before it: three threads want a core (the spinning main thread, the health thread, the prober) and there are two.' : 'During the block the tail was no longer than before it: the block added nothing measurable.'} ${PROBE_FLOOR}`}`);
  }
  if (r.detection) {
    lines.push(`- **Detection.** ${r.detection.package.runsWith503} of ${r.detection.package.runs} blocks reported: 503 seen a median ${r.detection.package.detectMinusThresholdMs} ms after the threshold (the heartbeat interval is 100 ms, and the probe interval 10 ms), 200 again ${r.detection.package.recoverMs} ms after the block ended. Served from the main thread, the same health state answered 503 while blocked in ${r.detection['bare-otel'].runsWith503WhileBlocked ?? '?'} of ${r.detection['bare-otel'].runs} runs${r.detection['bare-otel'].runsWith503 ? `, and in ${r.detection['bare-otel'].runsWith503} only after the block ended (to probes queued during it)` : ''}.`);
  }
  if (r.overhead) {
    const o = r.overhead;
    // A cost is a ratio below 1 by more than the same-process noise.
    const beyond = (w) => o[w].throughputRatio < 1 && 1 - o[w].throughputRatio > Math.abs(1 - o[w].noiseRatio);
    lines.push(`- **Overhead.** Throughput on/off ${o.js.throughputRatio} (js) and ${o.crypto.throughputRatio} (crypto), with a noise floor (off again / off, same process, same run) of ${o.js.noiseRatio} and ${o.crypto.noiseRatio}: the cost is ${beyond('js') ? 'beyond' : 'within'} the noise for js work and ${beyond('crypto') ? 'beyond' : 'within'} it for crypto work. ${o.bar.resolved === false ? `This run cannot judge the 0.99 bar: its own noise (js) is ${round(Math.abs(1 - o.js.noiseRatio) * 100, 1)} %, enough to carry the ratio across it.` : o.bar.met ? 'The 0.99 bar is met, by more than the noise.' : 'The 0.99 bar is not met, by more than the noise.'} Event-loop delay p99 on / off: ${o.js.on.eventLoopDelayP99Ms} / ${o.js.off.eventLoopDelayP99Ms} ms (js), ${o.crypto.on.eventLoopDelayP99Ms} / ${o.crypto.off.eventLoopDelayP99Ms} ms (crypto). ${OVERHEAD_ANALYSIS}`);
  }
  if (r.scrapeCost) {
    const s = r.scrapeCost;
    const lean = s.ratioToBareOtel.packageLean;
    lines.push(`- **Scrape cost.** Like for like (the two gauges only, \`defaultMetrics: false\`), the package scrapes at ${lean.c1P99}× bare exporter-prometheus's p99 with one scraper (${lean.c1P50}× at the median) and ${lean.c16Mean}× its mean latency at 16 connections (req/s ${lean.c16Rps}×): ${s.bar.met ? 'within the 1.2× bar' : 'not within the 1.2× bar'}. With the default metrics it serves ${s.package.c1.bytes} bytes instead of ${s['bare-otel'].c1.bytes}, about 4.3 KB of it collected on the main thread and carried over, and is slower accordingly (${s.ratioToBareOtel.package.c1P50}× at the median). ${SCRAPE_BREAKDOWN} prom-client's default metrics cost ${s['prom-client'].sequential.p50Ms} ms at the median and fall to ${s['prom-client'].c16.rps} req/s at 16 connections, since every scrape runs on its main thread.`);
  }
  if (r.memory) {
    const m = r.memory;
    lines.push(`- **Memory.** On − off: ${m.rssOverheadMB} MB RSS against a process without OpenTelemetry that serves nothing, ${m.rssOverheadOverOtelMB} MB against one that already uses the OTel metrics SDK, ${m.rssOverConventionalMB ?? '?'} MB against the conventional main-thread server (node:http and prom-client) under the same traffic; ${m.leanRssOverheadMB} MB with \`defaultMetrics: false\`${m.leanRssOverheadMB > m.rssOverheadMB ? ' (above "on" in this run: the RSS of like processes differs by a megabyte or two)' : ''}. Growth: RSS ${m.rssGrowthAfterPhaseAMB} MB and heap ${m.heapGrowthAfterPhaseAMB} MB between the end of the first phase and the end, after ${m.healthRequestsEach} \`/health\` requests and a scrape a second, ${m.errors} errors. ${m.bar.met ? 'The 20 MB bar is met.' : 'The 20 MB bar (on − off) is not met.'} ${MEMORY_BREAKDOWN}`);
  }
  if (r.scale) {
    const p = r.scale.package;
    const b = r.scale['bare-otel'];
    const keys = Object.keys(p);
    const last = keys.at(-1);
    lines.push(`- **Scale.** From ${keys[0]} to ${last} application series, a scrape went from ${p[keys[0]].medianMs} to ${p[last].medianMs} ms here (+${round(p[last].medianMs - p[keys[0]].medianMs)} ms), and from ${b[keys[0]].medianMs} to ${b[last].medianMs} ms with bare exporter-prometheus (+${round(b[last].medianMs - b[keys[0]].medianMs)} ms): the application's series go through the same SDK collection and serializer in both; the package's fixed part is the runtime metrics and the thread hop.`);
  }
  return lines.join('\n');
}

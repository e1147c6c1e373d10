// Renders results.json as a terminal table and as BENCHMARKS.md.
const fmt = (value, unit = '') => (value === null || value === undefined || Number.isNaN(value) ? 'n/a' : `${value}${unit}`);
const pass = (bar) => (bar ? (bar.met ? 'met' : '**not met**') : '');

export function rows(r) {
  const out = [];
  if (r.stall) {
    out.push(['1', '/health p50 / p99 / max during a block (package)', `${fmt(r.stall.package.p50Ms)} / ${fmt(r.stall.package.p99Ms)} / ${fmt(r.stall.package.maxMs, ' ms')}`, 'p99 ≤ 5 ms', pass(r.stall.bar)]);
    out.push(['1', '/health max during a block (main-thread http + prom-client)', fmt(r.stall['prom-client'].maxMs, ' ms'), 'comparison', '']);
  }
  if (r.detection) {
    out.push(['2', 'block start → first 503, less the threshold (package)', fmt(r.detection.package.detectMinusThresholdMs, ' ms'), '≤ 150 ms', pass(r.detection.bar)]);
    out.push(['2', 'block end → first 200 (package)', fmt(r.detection.package.recoverMs, ' ms'), '≤ 150 ms', '']);
    out.push(['2', 'runs in which a main-thread server ever answered 503', `${r.detection['bare-otel'].runsWith503} of ${r.detection['bare-otel'].runs}`, 'comparison', '']);
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

${r.quick ? '> **Quick smoke run** (one short iteration of each): the figures below are not the benchmark.\n\n' : ''}Measured ${r.date.slice(0, 10)} by \`pnpm bench\` on ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}.
Every figure is a median over repeated runs (counts below); comparisons were measured side by side in the same run.
Raw figures: [\`bench/results.json\`](bench/results.json).

${table}

## How each figure is measured (reproduce with \`npx -y pnpm@12.4.2 bench\`, or \`BENCH_ONLY=stall,detection pnpm bench\` for some)

Each target is a separate Node process (\`bench/target.mjs\`) driven over stdin; the bench process probes it over loopback with a fresh connection per probe, as a kubelet does.

1. **/health during a stall.** The target blocks its main thread for ${r.params.stallMs / 1000} s with a busy loop; the bench fires \`GET /health\` every 20 ms without waiting for answers. Latencies of probes sent during the block, median of ${r.params.stallRuns} runs. Compared with the conventional setup: \`node:http\` on the main thread next to prom-client's \`collectDefaultMetrics\`, which cannot answer until the block ends (its max is about the block's length).
2. **Detection latency.** Threshold 1 s, block ${r.params.detectBlockMs / 1000} s, \`GET /health\` every 10 ms: time from the block's start (stamped by the target just before it) to the first 503 received, minus the threshold; and from the block's end to the first 200. Median of ${r.params.detectRuns} runs. Compared with the same health state served from the main thread (bare exporter-prometheus target): it answers only after the loop resumes, when the heartbeat has already run, so it never reports the block. The Python SDK's design (a sampler every 0.5 s on the listener's own asyncio loop, and a server on that loop) has the same blind spot on paper: its sampler and its server run only when the loop does.
3. **Overhead.** One target process runs fixed CPU-bound work items, yielding to the event loop between items (\`js\`: ${r.params.workItems.js} items, each sorting 2 000 numbers; \`crypto\`: ${r.params.workItems.crypto} items, each 8 × SHA-256 of 16 KiB), in ${r.params.workRuns} rounds of three runs: healthcheck off, on, off again (order rotating), started and shut down inside the same process, because the bench measured differences of several percent between identical processes. While on, the bench scrapes \`/metrics\` every second and probes \`/health\` every 100 ms (a decoy process gets that traffic while off). Ratio = median over rounds of on/off within the round; "off again / off" is the noise floor of the same measurement. Event-loop delay p99 from \`monitorEventLoopDelay\` in the target.
4. **Scrape cost.** autocannon on \`/metrics\`, ${r.params.cannonSeconds} s per run, ${r.params.cannonRuns} runs, at 1 and 16 connections, for this package (worker gauges, process and runtime metrics, main-thread round trip), bare \`@opentelemetry/exporter-prometheus\` serving the same two gauges from the main thread, and prom-client with default metrics plus two gauges. These expose different amounts of text (bytes in results.json); see the notes.
5. **Memory.** Two targets, healthcheck on and off. Phase A: ${r.params.memPhaseA / 1000} s of \`/metrics\` every second with ${r.params.memHealthA} \`/health\` requests (autocannon, 16 connections); phase B: ${r.params.memPhaseB / 1000} s more with ${r.params.memHealthB}. RSS and main-thread heap after \`gc()\`. Overhead = on − off at the end; growth = end − end of phase A.
6. **Scale.** ${r.params.scaleScrapes} sequential scrapes with 10 … 10 000 counter series registered on the application's MeterProvider.

## Notes

${r.notes ?? ''}
`;
}

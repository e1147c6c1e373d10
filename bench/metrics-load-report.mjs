// The "/health while /metrics works" section of BENCHMARKS.md: its bars and its tables, from results.json.
import { round } from './lib.mjs';

const find = (probes, series, scrapers) => probes.find((p) => p.series === series && p.scrapers === scrapers);
const bySeries = (list, series) => list.find((x) => x.series === series);

/** Verdicts of the section: { bar, figure, met } by key. */
export function judgeMetricsLoad(r) {
  const m = r.metricsLoad;
  if (!m) return {};
  const v = {};
  const heavy = find(m.probes, 100_000, 32) ?? m.probes.at(-1);
  const quantum = round(Math.max(0, heavy.floorBurst.p99Ms - heavy.floorIdle.p99Ms));
  const limit = round(1.5 * heavy.idle.p99Ms + quantum);
  v.loadProbes = {
    bar: `${heavy.series} series × ${heavy.scrapers} scrapers: probe p99 ≤ 1.5 × the idle p99 + one scheduling quantum (what the same scrapes add to the floor's p99)`,
    figure: `${heavy.burst.p99Ms} ms vs 1.5 × ${heavy.idle.p99Ms} + ${quantum} = ${limit} ms`,
    met: heavy.burst.p99Ms <= limit && heavy.probeErrors === 0,
  };
  const series = Math.max(...m.scrapeTimes.package.map((x) => x.series));
  const ours = bySeries(m.scrapeTimes.package, series);
  const peer = bySeries(m.scrapeTimes['prom-client'], series);
  v.loadScrape = {
    bar: `a scrape of ${series} series at least as fast as prom-client's`,
    figure: `${ours.medianMs} vs ${peer.medianMs} ms`,
    met: ours.medianMs <= peer.medianMs,
  };
  v.loadMillion = {
    bar: `${m.million.series} series within Prometheus's default 10 s scrape timeout`,
    figure: `${m.million.maxMs} ms (slowest of ${m.million.scrapes})`,
    met: m.million.scrapes > 0 && m.million.maxMs <= 10_000,
  };
  const most = m.memory.concurrent.at(-1);
  v.loadMemory = {
    bar: `peak RSS under ${most.scrapers} concurrent scrapes ≤ the peak of 2 sequential ones`,
    figure: `${most.peakMiB} vs ${m.memory.sequential.peakMiB} MiB`,
    met: most.peakMiB <= m.memory.sequential.peakMiB && most.errors === 0,
  };
  return v;
}

const verdict = (v) => (v.met ? '**met**' : '**not met**');
const md = (head, rows) =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

/** The section, in Markdown. */
export function metricsLoadSection(r) {
  const m = r.metricsLoad;
  if (!m) return '';
  const P = r.params;
  const v = judgeMetricsLoad(r);
  const probeRows = m.probes.map((p) => [
    `${p.series} × ${p.scrapers}`,
    `${p.scrapes} (${round(p.pageBytes / 2 ** 20, 1)} MiB each)`,
    `${p.idle.p50Ms} / ${p.idle.p99Ms}`,
    `${p.burst.p50Ms} / ${p.burst.p99Ms} / ${p.burst.maxMs}`,
    `${p.floorIdle.p99Ms} · ${p.floorBurst.p50Ms} / ${p.floorBurst.p99Ms} / ${p.floorBurst.maxMs}`,
    `${p.probeErrors} / ${p.scrapeErrors}`,
  ]);
  const modes = Object.keys(m.scrapeTimes);
  const scrapeRows = m.scrapeTimes.package.map(({ series }) => [
    String(series),
    ...modes.map((mode) => {
      const x = bySeries(m.scrapeTimes[mode], series);
      return `${x.medianMs} (${round(x.bytes / 2 ** 20, 1)} MiB)`;
    }),
  ]);
  const memoryRows = [m.memory.sequential, ...m.memory.concurrent].map((x) => [
    x === m.memory.sequential ? `${x.rounds} sequential` : `${x.scrapers} at once`,
    String(x.rssBeforeMiB),
    String(x.peakMiB),
    String(x.errors),
  ]);
  return `## /health while /metrics works

Probes of \`/health\` every ${P.loadProbeEveryMs} ms (fresh connection each, from a process of their own), ${P.loadIdleMs / 1000} s idle, then for ${P.loadBurstMs / 1000} s while that many scrapers scrape \`/metrics\` again and again (keep-alive; each scrape waits up to 10 s for its own collection). The application's series are counters on its \`MeterProvider\`, served through a \`metricReader\`. Beside the healthcheck, in the same process, runs the floor: a bare worker thread answering a static \`/health\`, probed the same way: what the machine alone does to a probe while the scrapes run.

${md(['series × scrapers', 'scrapes', 'idle p50 / p99, ms', 'during the scrapes p50 / p99 / max, ms', 'floor: idle p99 · during p50 / p99 / max, ms', 'probe / scrape errors'], probeRows)}

Scrape time, median of ${P.loadScrapes} sequential scrapes on fresh connections (page size in brackets): this package (collection and writing on the main thread, sent by the health thread), prom-client's \`registry.metrics()\` on a main-thread \`node:http\` server, bare \`@opentelemetry/exporter-prometheus\` on the main thread.

${md(['series', ...modes.map((mode) => `${mode}, ms`)], scrapeRows)}

${m.million.series} series (this package, \`metricsTimeoutMs: 10000\`): median ${m.million.medianMs} ms, slowest ${m.million.maxMs} ms of ${m.million.scrapes} scrapes, ${round(m.million.bytes / 2 ** 20, 1)} MiB a page.

Peak RSS of the process (VmHWM, reset after one first scrape) while ${m.memory.sequential.series} series are scraped, against its RSS before:

${md(['scrapes', 'RSS before, MiB', 'peak, MiB', 'errors'], memoryRows)}

The goals:

${Object.values(v)
  .map((x) => `- ${x.bar}: ${x.figure}: ${verdict(x)}`)
  .join('\n')}

`;
}

// The "/health while /metrics works" section of BENCHMARKS.md: its bars and its tables, from results.json.
import { round } from './lib.mjs';

const find = (probes, series, scrapers) => probes.find((p) => p.series === series && p.scrapers === scrapers);
const bySeries = (list, series) => list.find((x) => x.series === series);

/** Verdicts of the section: { bar, figure, met } by key. */
export function judgeMetricsLoad(r) {
  const m = r.metricsLoad;
  if (!m) return {};
  const v = {};
  const [series, scrapers] = r.params.loadGoalCase ?? [100_000, 32];
  const heavy = find(m.probes, series, scrapers) ?? m.probes.at(-1);
  // Every run of the goal's case is judged against its own idle p99 and floor.
  const runs = [heavy, ...(m.goalRepeats ?? [])].map((p) => {
    const quantum = round(Math.max(0, p.floorBurst.p99Ms - p.floorIdle.p99Ms));
    const limit = round(1.5 * p.idle.p99Ms + quantum);
    return { p, quantum, limit, met: p.burst.p99Ms <= limit && p.probeErrors === 0 };
  });
  const metRuns = runs.filter((x) => x.met).length;
  v.loadProbes = {
    bar: `${heavy.series} series × ${heavy.scrapers} scrapers, in each of ${runs.length} runs: probe p99 ≤ 1.5 × the idle p99 + one scheduling quantum (what the same scrapes add to the floor's p99)`,
    figure: `${runs.map(({ p, quantum, limit }) => `${p.burst.p99Ms} ms vs 1.5 × ${p.idle.p99Ms} + ${quantum} = ${limit} ms`).join('; ')} (met in ${metRuns} of ${runs.length})`,
    met: metRuns === runs.length,
  };
  const most = Math.max(...m.scrapeTimes.package.map((x) => x.series));
  const ours = bySeries(m.scrapeTimes.package, most);
  const peer = bySeries(m.scrapeTimes['prom-client'], most);
  v.loadScrape = {
    bar: `a scrape of ${most} series at least as fast as prom-client's`,
    figure: `${ours.medianMs} vs ${peer.medianMs} ms`,
    met: ours.medianMs <= peer.medianMs,
  };
  v.loadMillion = {
    bar: `${m.million.series} series within Prometheus's default 10 s scrape timeout`,
    figure: `${m.million.maxMs} ms (slowest of ${m.million.scrapes})`,
    met: m.million.scrapes > 0 && m.million.maxMs <= 10_000,
  };
  const widest = m.memory.concurrent.at(-1);
  v.loadMemory = {
    bar: `peak RSS under ${widest.scrapers} concurrent scrapes ≤ the peak of 2 sequential ones`,
    figure: `${widest.peakMiB} vs ${m.memory.sequential.peakMiB} MiB`,
    met: widest.peakMiB <= m.memory.sequential.peakMiB && widest.errors === 0,
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
  const probeRows = [...m.probes, ...(m.goalRepeats ?? [])].map((p, i) => [
    `${p.series} × ${p.scrapers}${i >= m.probes.length ? ` (run ${i - m.probes.length + 2})` : ''}`,
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

Probes of \`/health\` every ${P.loadProbeEveryMs} ms (fresh connection each, from a process of their own), ${P.loadIdleMs / 1000} s idle, then for ${P.loadBurstMs / 1000} s while that many scrapers scrape \`/metrics\` again and again (keep-alive; each scrape waits up to 10 s for its own collection).${P.loadGoalRuns > 1 ? ` The goal's case runs ${P.loadGoalRuns} times, each in a fresh process (the later runs at the end of the table).` : ''} The application's series are counters on its \`MeterProvider\`, served through a \`metricReader\`. Beside the healthcheck, in the same process, runs the floor: a bare worker thread answering a static \`/health\`, probed the same way: what the machine alone does to a probe while the scrapes run.

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

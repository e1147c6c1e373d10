// Another build of the exporter through this harness, for before/after figures:
//   git worktree add /tmp/before <commit>
//   (cd /tmp/before && npx -y pnpm@12.4.2 install && npx -y pnpm@12.4.2 turbo run build --filter=@worker-health/exporter...)
//   node bench/compare-build.mjs /tmp/before/packages/exporter [metricsTimeoutMs]
// Prints one JSON object: the probe table and scrape times of "/health while /metrics works", and the
// cost rows (nothing, floor, defaults) and memory breakdown of both workloads, as `pnpm bench` measures
// them for this repository's build. A build whose metricsTimeoutMs takes at most 1000 needs 1000.
import { cost } from './cost.mjs';
import { memoryBreakdown } from './memory-breakdown.mjs';
import { probesUnderScrapes, scrapeTime } from './metrics-load.mjs';

const [exporterDir, metricsTimeoutMs = '10000'] = process.argv.slice(2);
if (!exporterDir) throw new Error('usage: node bench/compare-build.mjs <packages/exporter of a built checkout> [metricsTimeoutMs]');
const env = { BENCH_EXPORTER_DIR: exporterDir, BENCH_METRICS_TIMEOUT_MS: metricsTimeoutMs };
process.env.BENCH_EXPORTER_DIR = exporterDir;
const P = {
  loadProbeEveryMs: 25,
  loadIdleMs: 2_000,
  loadBurstMs: 6_000,
  costProbeEveryMs: 100,
  costScrapeEveryMs: 1_000,
  costWarmupMs: 300,
  costSettleMs: 500,
  costRunMs: 3_000,
  costRounds: 5,
  breakdownRounds: 3,
};
const out = { exporterDir, probes: [], scrapeTimes: [] };
for (const [series, scrapers] of [
  [10_000, 1],
  [10_000, 32],
  [100_000, 1],
  [100_000, 32],
  [150_000, 32],
]) {
  out.probes.push(await probesUnderScrapes(P, series, scrapers, env));
}
for (const series of [10_000, 100_000]) out.scrapeTimes.push(await scrapeTime('package', series, 10, env));
out.cost = await cost(P, 'task', ['nothing', 'floor', 'defaults']);
out.costAllocating = await cost(P, 'hash', ['nothing', 'floor', 'defaults']);
out.memoryBreakdown = await memoryBreakdown(P);
process.stdout.write(`${JSON.stringify(out)}\n`);

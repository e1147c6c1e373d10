// Where the time of a /metrics scrape goes with the default metrics:
// `node bench/scrape-breakdown.mjs`. One process, one scraper on a keep-alive
// connection, medians of 500 scrapes (after 100 to warm up).
//   main:    the main thread's part alone (runtime metrics collected and serialized), called directly;
//   package: a whole scrape, default metrics (thread → main thread → thread → answer);
//   lean:    a whole scrape with `defaultMetrics: false` (the thread's gauges only, no main-thread hop).
import { startWorkerHealthcheck } from '@worker-health/exporter';
// Internal, not exported: the object the package uses to produce the main thread's part.
import { MainThreadMetrics } from '../packages/exporter/dist/main-thread-metrics.js';
import { median, round, sequential } from './lib.mjs';

const n = 500;
const main = new MainThreadMetrics(undefined, true);
await main.start();
const mainMs = [];
for (let i = 0; i < 100 + n; i++) {
  const started = performance.now();
  await main.collectText();
  if (i >= 100) mainMs.push(performance.now() - started);
}
const mainBytes = Buffer.byteLength(await main.collectText());
await main.shutdown();

const scrape = async (defaultMetrics) => {
  const healthcheck = await startWorkerHealthcheck({ workerName: 'bench', port: 0, bindAddress: '127.0.0.1', defaultMetrics });
  healthcheck.setListenerHealthy(true);
  await sequential(healthcheck.port, '/metrics', 100);
  const ms = median(await sequential(healthcheck.port, '/metrics', n));
  await healthcheck.shutdown();
  return ms;
};
const packageMs = await scrape(true);
const leanMs = await scrape(false);
const mainMedian = median(mainMs);
console.log(`median of ${n} scrapes, ms:`);
console.log(`  main thread's part (runtime metrics, ${mainBytes} B): ${round(mainMedian, 3)}`);
console.log(`  whole scrape, default metrics:                    ${round(packageMs, 3)}`);
console.log(`  whole scrape, defaultMetrics: false:              ${round(leanMs, 3)}`);
console.log(`  rest of a default scrape (HTTP, the two hops, the thread's own part): ${round(packageMs - mainMedian, 3)}`);

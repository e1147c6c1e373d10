// Where the memory of a long-running healthcheck goes: a `package-stats` target (the package with its
// defaults) gets 150000 `/health` requests and a scrape every second as a warm-up, then phases of 50000
// more; after each, a GC of both threads (the health thread's too: BENCH_THREAD_GC), then RSS by kind of
// mapping and each thread's V8 heap. A leak in either thread's JavaScript shows in its used heap after a
// GC; RSS also holds what the allocators and V8 keep for reuse, which moves by itself.
//   node heap-growth.mjs [phases=10]
import { collectedBreakdown, fittedGrowth, round, startTarget, trafficPhase } from './lib.mjs';

const phases = Number(process.argv[2] ?? 10);
if (!Number.isInteger(phases) || phases < 1) throw new Error(`phases: ${process.argv[2]} given; a whole number of at least 1 is accepted`);
const target = await startTarget('package-stats', { BENCH_THRESHOLD: '5', BENCH_THREAD_GC: '1' });
const mib = (bytes) => round(bytes / 2 ** 20, 1);
const readings = [];
const read = async (label) => {
  const s = await collectedBreakdown(target);
  const row = {
    rss: mib(s.process.rss),
    otherAnonymous: mib(s.process.anonymous),
    allocatorHeap: mib(s.process.allocatorHeap),
    mainUsed: mib(s.main.used),
    threadUsed: mib(s.thread.used),
    threadOld: mib(s.thread.oldSpace),
  };
  readings.push(row);
  console.log(
    `${label.padEnd(6)} ${Object.entries(row)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} (MiB)`,
  );
};
let errors = 0;
const phase = async (ms, requests) => {
  errors += await trafficPhase([target.port], { ms, requests, scrapeEveryMs: 1000, connections: 16 });
};
await read('start');
await phase(30_000, 150_000);
await read('150k');
for (let i = 1; i <= phases; i++) {
  await phase(5_000, 50_000);
  await read(`+${i * 50}k`);
}
await target.stop();
const after = readings.slice(1);
const line = (key) => fittedGrowth(after.map((r) => r[key])).toFixed(2);
console.log(
  `along the fitted line over the ${after.length} readings after the warm-up: RSS ${line('rss')}, main-thread heap ${line('mainUsed')}, health-thread heap ${line('threadUsed')} MiB; ${errors} failed requests`,
);

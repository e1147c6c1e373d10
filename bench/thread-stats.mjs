// The package's health thread, plus one answer for the memory breakdown: {type: 'bench:heap'} gets its V8
// heap statistics. Started through the host's spawn seam by setups.mjs ('package-stats'); the wrapper
// itself is this file, a few hundred bytes. With BENCH_THREAD_GC set (and --expose-gc, a flag of the whole
// process), the thread collects its heap before it answers.
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';

// BENCH_THREAD_BUNDLE: the bundle of another build (setups.mjs, `exporterDir`); else this repository's.
await import(process.env.BENCH_THREAD_BUNDLE ?? new URL('../packages/exporter/dist/health-thread.js', import.meta.url).href);
parentPort.on('message', (message) => {
  if (message?.type !== 'bench:heap') return;
  // `collected` says whether the figures follow a GC: the memory section refuses figures that do not.
  const collected = Boolean(process.env.BENCH_THREAD_GC) && typeof globalThis.gc === 'function';
  if (collected) globalThis.gc();
  parentPort.postMessage({ type: 'bench:heap', heap: getHeapStatistics(), spaces: getHeapSpaceStatistics(), collected });
});

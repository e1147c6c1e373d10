// The CPU-bound work items of the overhead benchmark (target.mjs) and of runtime-cost.mjs.
import { createHash } from 'node:crypto';

const payload = Buffer.alloc(16 * 1024, 7);
let seed = 42;

/**
 * One unit of CPU-bound work, a fraction of a millisecond. `js`: sort 2 000 numbers from a fixed
 * pseudo-random sequence, plain JavaScript. `crypto`: 8 × SHA-256 of 16 KiB, native hashing with
 * many short-lived native objects, which makes the garbage collector work hard.
 */
export function workItem(workload) {
  if (workload === 'crypto') {
    let digest = payload;
    for (let i = 0; i < 8; i++) digest = createHash('sha256').update(payload).update(digest).digest();
    return digest[0];
  }
  const numbers = new Array(2_000);
  for (let i = 0; i < numbers.length; i++) numbers[i] = (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
  numbers.sort((a, b) => a - b);
  return numbers[1_000] % 256;
}

/** `items` work items, yielding to the event loop between them as a worker does between tasks. */
export async function runWork(workload, items) {
  const started = performance.now();
  let sink = 0;
  for (let i = 0; i < items; i++) {
    sink += workItem(workload);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { ms: performance.now() - started, sink };
}

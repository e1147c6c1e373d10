// The CPU-bound work of the cost table (target.mjs): `task` sorts numbers, `hash` hashes buffers.
import { createHash } from 'node:crypto';

let seed = 42;
/** Hashes of a 4 KiB buffer in one `hash` work item: about a millisecond, allocating a buffer and a hash object each. */
const HASHES_PER_ITEM = 40;

/** Numbers sorted by one work item of each workload: `js` is about half a millisecond, `task` about one. */
export const SORT_SIZES = { js: 2_000, task: 4_000 };

/** The workloads: `js` and `task` sort numbers (`task` about a millisecond), `hash` hashes 4 KiB buffers with node:crypto. */
export const WORKLOADS = [...Object.keys(SORT_SIZES), 'hash'];

/**
 * One unit of CPU-bound work. `js`, `task`: sort numbers from a fixed pseudo-random sequence (allocating
 * arrays). `hash`: SHA-256 of fresh 4 KiB buffers (allocating a buffer, a hash object and a digest each).
 */
export function workItem(workload) {
  if (workload === 'hash') return hashItem();
  const size = SORT_SIZES[workload];
  if (size === undefined) throw new Error(`unknown workload ${workload}; accepted: ${Object.keys(SORT_SIZES).join(', ')}`);
  const numbers = new Array(size);
  for (let i = 0; i < size; i++) numbers[i] = seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  numbers.sort((a, b) => a - b);
  return numbers[size >> 1] % 256;
}

function hashItem() {
  let sink = 0;
  for (let i = 0; i < HASHES_PER_ITEM; i++) {
    const buffer = Buffer.allocUnsafe(4096);
    for (let j = 0; j < 4096; j += 4) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      buffer.writeUInt32LE(seed, j);
    }
    sink ^= createHash('sha256').update(buffer).digest()[0];
  }
  return sink;
}

const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));

/** `items` work items, yielding to the event loop between them as a worker does between tasks. */
export async function runWork(workload, items) {
  const started = performance.now();
  let sink = 0;
  for (let i = 0; i < items; i++) {
    sink += workItem(workload);
    await yieldToLoop();
  }
  return { ms: performance.now() - started, sink };
}

/**
 * Work items one after another, yielding between them, until `ms` have passed: how many were done, and
 * `workMs`, the time spent inside the items (the rest went to the event loop: its turns, timers, I/O).
 */
export async function runFor(workload, ms) {
  const started = performance.now();
  let items = 0;
  let sink = 0;
  let workMs = 0;
  let now = started;
  while (now - started < ms) {
    sink += workItem(workload);
    const done = performance.now();
    workMs += done - now;
    items++;
    await yieldToLoop();
    now = performance.now();
  }
  return { items, ms: now - started, workMs, sink };
}

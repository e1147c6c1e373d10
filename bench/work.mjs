// The CPU-bound work of the cost table (target.mjs).
let seed = 42;

/** Numbers sorted by one work item of each workload: `js` is about half a millisecond, `task` about one. */
export const SORT_SIZES = { js: 2_000, task: 4_000 };

/** One unit of CPU-bound, allocating JavaScript: sort numbers from a fixed pseudo-random sequence. */
export function workItem(workload) {
  const size = SORT_SIZES[workload];
  if (size === undefined) throw new Error(`unknown workload ${workload}; accepted: ${Object.keys(SORT_SIZES).join(', ')}`);
  const numbers = new Array(size);
  for (let i = 0; i < size; i++) numbers[i] = seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  numbers.sort((a, b) => a - b);
  return numbers[size >> 1] % 256;
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

/** Work items one after another, yielding between them, until `ms` have passed: how many were done. */
export async function runFor(workload, ms) {
  const started = performance.now();
  let items = 0;
  let sink = 0;
  while (performance.now() - started < ms) {
    sink += workItem(workload);
    items++;
    await yieldToLoop();
  }
  return { items, ms: performance.now() - started, sink };
}

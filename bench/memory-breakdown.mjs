// Where the memory of a worker goes, per thread and per kind: a section of `pnpm bench`
// (memoryBreakdown). For each set-up, fresh target processes run the cost table's work with its traffic
// (work.mjs; /health every 100 ms, /metrics every second), then report, without a forced GC and after
// one: the process's RSS by kind of mapping (/proc/self/smaps: the allocator's heap, other anonymous
// memory, files), and the V8 heap of the main thread and of the set-up's thread, by space.
import { median, poll, round, sleep, startTarget } from './lib.mjs';

/** The set-ups broken down: nothing, the floor, and the package with its defaults (its thread wrapped to answer, thread-stats.mjs). */
export const BREAKDOWN_SETUPS = [{ key: 'nothing' }, { key: 'floor', setup: 'floor' }, { key: 'defaults', setup: 'package-stats' }];

const MiB = 2 ** 20;

async function breakdownProcess(row, P, workload) {
  const target = await startTarget('off', { BENCH_THRESHOLD: '5', BENCH_WORKLOAD: workload });
  target.send(`run ${P.costWarmupMs}`);
  await target.next('run');
  let port;
  if (row.setup) {
    target.send(`start ${row.setup}`);
    port = (await target.next('started', 30_000)).port;
  }
  await sleep(P.costSettleMs);
  const pollers = port ? [poll(port, '/health', P.costProbeEveryMs), poll(port, '/metrics', P.costScrapeEveryMs)] : [];
  target.send(`run ${P.costRunMs}`);
  await target.next('run');
  await Promise.all(pollers.map((p) => p.stop()));
  target.send('breakdown');
  const { breakdown } = await target.next('breakdown', 30_000);
  await target.stop();
  return breakdown;
}

/** Medians of the numeric leaves of same-shaped objects; a flag (the thread's `collected`) holds when it holds in every sample. */
function medianOf(samples) {
  const [first] = samples;
  if (typeof first === 'number') return round(median(samples) / MiB, 2);
  if (typeof first === 'boolean') return samples.every(Boolean);
  if (first === null || first === undefined) return null;
  return Object.fromEntries(Object.keys(first).map((key) => [key, medianOf(samples.map((s) => s?.[key]))]));
}

export async function memoryBreakdown(P) {
  const out = { rounds: P.breakdownRounds, workloads: {} };
  for (const workload of ['task', 'hash']) {
    const perSetup = Object.fromEntries(BREAKDOWN_SETUPS.map((row) => [row.key, []]));
    for (let r = 0; r < P.breakdownRounds; r++) {
      for (const row of BREAKDOWN_SETUPS) perSetup[row.key].push(await breakdownProcess(row, P, workload));
    }
    out.workloads[workload] = Object.fromEntries(Object.entries(perSetup).map(([key, samples]) => [key, medianOf(samples)]));
  }
  return out;
}

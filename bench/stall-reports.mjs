// "Stall reports": how soon the report of a block is on standard error, and what taking a stack
// costs the blocked main thread.
import { median, percentile, round, sleep, startTarget } from './lib.mjs';

/** A target whose report lines on standard error are kept with the time each arrived here (epoch ms). */
async function reportingTarget(env) {
  const target = await startTarget('package', env);
  target.reportLines = [];
  let partial = '';
  target.process.stderr.on('data', (chunk) => {
    const arrivedAt = Date.now();
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{"time"')) continue;
      const event = JSON.parse(line);
      if (event.event) target.reportLines.push({ ...event, arrivedAt });
    }
  });
  return target;
}

/** Blocks of `blockMs` with a threshold of `thresholdSeconds`: when each `blocked` line arrived, against the block's start. */
async function detection(P) {
  const target = await reportingTarget({ BENCH_THRESHOLD: String(P.stallReportThresholdSeconds) });
  await sleep(300);
  const afterThreshold = [];
  const afterCrossing = [];
  for (let i = 0; i < P.stallReportRuns; i++) {
    const before = target.reportLines.length;
    target.send(`block ${P.stallReportBlockMs}`);
    const { blocking } = await target.next('blocking');
    await target.next('unblocked');
    await sleep(300);
    const blocked = target.reportLines.slice(before).find((line) => line.event === 'blocked');
    if (!blocked) continue;
    afterThreshold.push(blocked.arrivedAt - blocking - P.stallReportThresholdSeconds * 1000);
    // The line's lag less the threshold: the watchdog's own delay, apart from where in a heartbeat interval the block began.
    afterCrossing.push((blocked.lagSeconds - blocked.thresholdSeconds) * 1000);
  }
  await target.stop();
  return {
    runs: P.stallReportRuns,
    reported: afterThreshold.length,
    thresholdSeconds: P.stallReportThresholdSeconds,
    blockMs: P.stallReportBlockMs,
    afterThresholdMs: { median: round(median(afterThreshold)), p99: round(percentile(afterThreshold, 99)) },
    afterCrossingMs: { median: round(median(afterCrossing)), p99: round(percentile(afterCrossing, 99)) },
  };
}

/**
 * What a capture costs the main thread: the probe's own time (from the lines), and the same fixed work
 * with stall reports on and off, side by side (the difference over the captures taken).
 */
async function captureCost(P) {
  const env = { BENCH_THRESHOLD: '0.1' };
  const on = await reportingTarget(env);
  const off = await reportingTarget({ ...env, WORKER_HEALTH_STALL_REPORTS: 'false' });
  await sleep(300);
  const spin = async (target) => {
    const before = target.reportLines.length;
    target.send(`spin ${P.stallReportSpin}`);
    const { spun } = await target.next('spun', 60_000);
    await sleep(200);
    const captures = target.reportLines.slice(before).filter((l) => l.event === 'blocked' || l.event === 'still blocked');
    return { ms: spun.ms, captures };
  };
  await spin(on); // warm-up: the JIT compiles the loop
  await spin(off);
  const onMs = [];
  const offMs = [];
  const probeMs = [];
  let captures = 0;
  for (let i = 0; i < P.stallReportCostRounds; i++) {
    const a = await spin(on);
    const b = await spin(off);
    onMs.push(a.ms);
    offMs.push(b.ms);
    captures += a.captures.length;
    probeMs.push(...a.captures.map((c) => c.stackMs));
  }
  await Promise.all([on.stop(), off.stop()]);
  const perBlock = captures / P.stallReportCostRounds;
  return {
    rounds: P.stallReportCostRounds,
    capturesPerBlock: round(perBlock, 1),
    workOnMs: { median: round(median(onMs)), min: round(Math.min(...onMs)), max: round(Math.max(...onMs)) },
    workOffMs: { median: round(median(offMs)), min: round(Math.min(...offMs)), max: round(Math.max(...offMs)) },
    perCaptureFromWorkMs: round((median(onMs) - median(offMs)) / perBlock, 3),
    probeMs: { median: round(median(probeMs), 3), max: round(Math.max(...probeMs), 3) },
  };
}

export async function stallReports(P) {
  return { detection: await detection(P), captureCost: await captureCost(P) };
}

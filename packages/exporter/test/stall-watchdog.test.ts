// The watchdog on its own, in this thread: a HealthState whose heartbeat the test writes, and a
// capture whose answers the test gives. What it must never do: take a stack after the main thread
// is back from native code and before its next heartbeat, and call that "still blocked".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthState } from '@worker-health/core';
import { sleep, until } from '@worker-health/testing';
import type { StallEvent, StallFrame, StallReport } from '../src/shared/stall-report.js';
import type { Capture } from '../src/thread/stack-capture.js';
import { StallWatchdog } from '../src/thread/stall-watchdog.js';

const THRESHOLD_SECONDS = 0.5;
const FRAMES: StallFrame[] = [{ function: 'afterTheSleep', url: 'file:///app/main.js', line: 3, column: 1, kind: 'app' }];

/** A watchdog over a state the test beats, with a capture that answers as the test says. */
function watched(answer: (takes: number) => Capture, { reportsOn = true, heartbeatIntervalMs = 20 } = {}) {
  const state = HealthState.create({ eventLoopBlockThresholdSeconds: THRESHOLD_SECONDS, heartbeatIntervalMs });
  state.setListenerHealthy(true);
  state.beat();
  const lines: StallEvent[] = [];
  const reports: StallReport[] = [];
  let takes = 0;
  const watchdog = new StallWatchdog({
    state,
    workerName: 'w',
    labels: '',
    reports: reportsOn,
    offBecause: undefined,
    capture: { take: async () => answer(++takes), close: () => {} },
    write: (line) => lines.push(JSON.parse(line) as StallEvent),
    report: (report) => reports.push(report),
    unavailable: () => {},
  });
  return { state, watchdog, lines, reports, takes: () => takes };
}

/** A native capture, and the function that makes its late stack arrive. */
function nativeCapture() {
  let arrive!: () => void;
  const late = new Promise<{ frames: StallFrame[]; mainThreadMs: number }>((resolve) => {
    arrive = () => resolve({ frames: FRAMES, mainThreadMs: 0.1 });
  });
  return { capture: { kind: 'native', late } as Capture, arrive };
}

describe('StallWatchdog after a block in native code', () => {
  it('takes no stack between the late stack and the next heartbeat, however many thresholds the block lasted', async () => {
    const native = nativeCapture();
    const { state, watchdog, lines, reports, takes } = watched(() => native.capture);
    watchdog.start();
    try {
      await until('the blocked line', async () => lines.find((l) => l.event === 'blocked'));
      // Past the second threshold of lag, where a JavaScript block gets its next stack.
      await until('two thresholds of lag', async () => (state.lagSeconds() > 2.2 * THRESHOLD_SECONDS ? true : undefined));
      native.arrive(); // the main thread is back in JavaScript
      await until('the late stack line', async () => lines.find((l) => l.event === 'late stack'));
      // Its heartbeat comes a while after (a loaded machine), well within one threshold.
      await sleep((THRESHOLD_SECONDS * 1000) / 5);
      state.beat();
      await until('the report', async () => reports[0]);
      assert.equal(takes(), 1, 'one stack asked for: the one at the threshold');
      assert.deepEqual(
        lines.map((l) => l.event),
        ['blocked', 'late stack', 'unblocked'],
      );
      assert.equal(reports[0]!.native, true);
      assert.deepEqual(reports[0]!.frames, [], 'the late stack is not the blocking code');
    } finally {
      watchdog.close();
    }
  });

  it('takes the next stack one threshold after the late stack when no heartbeat comes: the block went on in JavaScript', async () => {
    const native = nativeCapture();
    const { state, watchdog, lines, reports, takes } = watched((n) =>
      n === 1 ? native.capture : { kind: 'stack', frames: FRAMES, mainThreadMs: 0.1 },
    );
    watchdog.start();
    try {
      await until('the blocked line', async () => lines.find((l) => l.event === 'blocked'));
      await until('two thresholds of lag', async () => (state.lagSeconds() > 2.2 * THRESHOLD_SECONDS ? true : undefined));
      native.arrive();
      await until('the late stack line', async () => lines.find((l) => l.event === 'late stack'));
      const still = await until('a still blocked line', async () => lines.find((l) => l.event === 'still blocked'), 5_000);
      // The late stack came past 2.2 thresholds of lag, so the quiet lasts past 3.2.
      assert.ok(still.lagSeconds >= 3.2 * THRESHOLD_SECONDS, `taken at lag ${still.lagSeconds} s`);
      assert.equal(still.moved, true, 'moved on from the native code');
      assert.deepEqual(still.frames, FRAMES);
      state.beat();
      await until('the report', async () => reports[0]);
      assert.equal(takes(), 2);
      assert.deepEqual(
        lines.map((l) => l.event),
        ['blocked', 'late stack', 'still blocked', 'unblocked'],
      );
    } finally {
      watchdog.close();
    }
  });
});

describe('StallWatchdog while no stack can be taken', () => {
  // Each check reads the lag: counting the reads counts the checks. A check each heartbeat
  // interval is enough to see the block end; one each millisecond would be a busy thread.
  for (const [name, answer, reports] of [
    ['no stack in this process (unavailable)', (): Capture => ({ kind: 'unavailable', reason: 'none here' }), true],
    ['reports off', (): Capture => ({ kind: 'unavailable', reason: 'not asked' }), false],
  ] as const) {
    it(`${name}: checks about once a heartbeat interval for the rest of the block`, async () => {
      const intervalMs = 50;
      const { state, watchdog, reports: done } = watched(answer, { reportsOn: reports, heartbeatIntervalMs: intervalMs });
      let reads = 0;
      const lagSeconds = state.lagSeconds.bind(state);
      state.lagSeconds = (at?: bigint) => {
        reads++;
        return lagSeconds(at);
      };
      watchdog.start();
      try {
        const blockMs = 1_500;
        await sleep(blockMs); // no heartbeat: a block of three thresholds and more
        const checks = blockMs / intervalMs;
        assert.ok(reads < 10 * checks, `${reads} reads of the lag in ${blockMs} ms, ${checks} heartbeat intervals`);
        state.beat();
        if (reports) await until('the report', async () => done[0]);
      } finally {
        watchdog.close();
      }
    });
  }
});

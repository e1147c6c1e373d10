import type { HealthState } from '@worker-health/core';
import { histogramSeriesText } from '../shared/prometheus-text.js';
import type { StallEvent, StallEventName, StallFrame, StallReport } from '../shared/stall-report.js';
import type { Capture } from './stack-capture.js';

/** The bounds of the stall reports. */
export const STALL_LIMITS = {
  /** Stacks taken per block at most: at the threshold, then at each further threshold of lag (after native code, counted from the late stack). */
  capturesPerBlock: 5,
  /** How long the main thread may take to reach JavaScript before it is reported as in native code, in milliseconds. */
  nativeWaitMs: 500,
  /** How long `onStall` waits, after a block in native code ended, for the late stack, in milliseconds. */
  lateWaitMs: 1_000,
} as const;

/** Upper bounds of `worker_health_event_loop_block_duration_seconds`, in seconds. */
export const BLOCK_DURATION_BUCKETS = [1, 2.5, 5, 10, 30, 60, 120, 300, 600] as const;

const BLOCKS = 'worker_health_event_loop_blocks_total';
const BLOCKS_HELP = 'Blocks of the main thread event loop past the threshold';
const DURATION = 'worker_health_event_loop_block_duration_seconds';
const DURATION_HELP = 'Durations of the blocks past the threshold, from the last heartbeat before each to the first after';

/** Options of {@link StallWatchdog}. */
export interface StallWatchdogOptions {
  state: HealthState;
  workerName: string;
  /** The label set of the two families, as text (`''` or `{worker="…"}`). */
  labels: string;
  /** Whether blocks are reported (stderr lines, `onStall`, stacks); they are counted either way. */
  reports: boolean;
  /** Why reports are off by default (an inspector server is open): said once, at the first block. */
  offBecause: string | undefined;
  capture: { take(): Promise<Capture>; close(): void };
  /** Where report lines go: standard error. */
  write: (line: string) => void;
  /** Where the report of an ended block goes: `onStall`, on the main thread. */
  report: (report: StallReport) => void;
  /** Told once when no stack can be taken in this process. */
  unavailable: (reason: string) => void;
}

interface Block {
  /** The main thread's last heartbeat before the block. */
  beat: bigint;
  startedAt: number;
  captures: number;
  capturing: boolean;
  /** The innermost frame's function at the previous capture. */
  place: string | undefined;
  /** Lines are written in order: each step waits for the one before. */
  steps: Promise<void>;
  events: StallEvent[];
  frames: StallFrame[] | undefined;
  native: boolean | undefined;
  /** A late stack on its way (after native code). */
  late: Promise<void> | undefined;
  /**
   * Stacks are taken at each threshold of lag past this one, in seconds: 0, then the lag when
   * a late stack came. The main thread is back in JavaScript then and its heartbeat is due, so a
   * stack taken before one more threshold would show the code that runs after the block.
   */
  anchorLagSeconds: number;
  /** Stacks taken since the anchor. */
  capturesSinceAnchor: number;
}

/**
 * The health thread's watchdog of the main thread's heartbeat. When the lag
 * passes the threshold (the moment `/health` turns 503) it takes the main
 * thread's stack and reports it while the block lasts, again at each further
 * threshold of lag (a bounded number of times; after native code, counted
 * from the late stack), and how long the block lasted once it ends. It counts
 * blocks and their durations for `/metrics` whether or not reports are on.
 * Its own work is a timer check and, during a block, one inspector message
 * per capture: it never holds up a probe.
 */
export class StallWatchdog {
  private timer: NodeJS.Timeout | undefined;
  private block: Block | undefined;
  private blocks = 0;
  private readonly durations = new Float64Array(BLOCK_DURATION_BUCKETS.length + 1);
  private durationSum = 0;
  private saidOff = false;
  private saidUnavailable = false;
  private closed = false;

  constructor(private readonly options: StallWatchdogOptions) {}

  start(): void {
    if (this.timer || this.closed) return;
    this.schedule(0);
  }

  /** Stops watching and lets go of the inspector session. Idempotent. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.options.capture.close();
  }

  /** The two families, for `/metrics`. */
  metricsText(): string {
    const { labels } = this.options;
    return (
      `# HELP ${BLOCKS} ${BLOCKS_HELP}\n# TYPE ${BLOCKS} counter\n${BLOCKS}${labels} ${this.blocks}\n` +
      `# HELP ${DURATION} ${DURATION_HELP}\n# TYPE ${DURATION} histogram\n` +
      histogramSeriesText(DURATION, labels, BLOCK_DURATION_BUCKETS, this.durations, this.durationSum)
    );
  }

  /**
   * The next check: at the latest one heartbeat interval from now (to see a
   * block end), sooner when the lag will pass the threshold (or, during a
   * block, the lag of the next stack) before then, so that the report is
   * written the moment /health turns 503, not up to an interval later.
   */
  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      const next = this.check();
      if (!this.closed) this.schedule(next);
    }, delayMs);
  }

  /** Checks the heartbeat; returns how long to wait for the next check, in milliseconds. */
  private check(): number {
    const { state } = this.options;
    const intervalMs = state.heartbeatIntervalMs;
    const thresholdMs = state.eventLoopBlockThresholdSeconds * 1000;
    const untilLag = (lagMs: number) => Math.max(1, Math.min(intervalMs, lagMs - state.lagSeconds() * 1000 + 1));
    this.watch();
    const block = this.block;
    // Nothing falls due at a lag while no stack can be taken: only the block's end is watched for.
    if (block) return this.mayCapture(block) ? untilLag(this.nextCaptureLagSeconds(block) * 1000) : intervalMs;
    return state.shuttingDown ? intervalMs : untilLag(thresholdMs);
  }

  /** Whether another stack may be taken in this block: reports on, none on its way, fewer than the bound. */
  private mayCapture(block: Block): boolean {
    return this.options.reports && !block.capturing && block.late === undefined && block.captures < STALL_LIMITS.capturesPerBlock;
  }

  /** The lag at which the block's next stack is due: the next threshold of lag past the anchor. */
  private nextCaptureLagSeconds(block: Block): number {
    return block.anchorLagSeconds + this.options.state.eventLoopBlockThresholdSeconds * (block.capturesSinceAnchor + 1);
  }

  private watch(): void {
    const { state } = this.options;
    const at = process.hrtime.bigint();
    const beat = state.lastBeatAt();
    const block = this.block;
    if (block) {
      if (beat !== block.beat) this.end(block, beat);
      else if (this.mayCapture(block) && state.lagSeconds(at) >= this.nextCaptureLagSeconds(block)) this.capture(block, 'still blocked');
      return;
    }
    if (!state.isStalled(at) || state.shuttingDown) return;
    this.blocks++;
    const begun: Block = {
      beat,
      startedAt: Date.now() - Number(at - beat) / 1e6,
      captures: 0,
      capturing: false,
      place: undefined,
      steps: Promise.resolve(),
      events: [],
      frames: undefined,
      native: undefined,
      late: undefined,
      anchorLagSeconds: 0,
      capturesSinceAnchor: 0,
    };
    this.block = begun;
    if (this.options.reports) this.capture(begun, 'blocked');
    else if (this.options.offBecause && !this.saidOff) {
      this.saidOff = true;
      this.options.write(JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: this.options.offBecause }));
    }
  }

  private capture(block: Block, event: 'blocked' | 'still blocked'): void {
    block.captures++;
    block.capturesSinceAnchor++;
    block.capturing = true;
    const taken = this.options.capture.take();
    block.steps = block.steps.then(async () => {
      const capture = await taken;
      block.capturing = false;
      if (this.closed) return;
      const line = this.event(event);
      if (capture.kind === 'stack') {
        line.frames = capture.frames;
        line.stackMs = round3(capture.mainThreadMs);
        const place = placeOf(capture.frames);
        if (event === 'still blocked') line.moved = place !== block.place;
        block.place = place;
        block.frames ??= capture.frames;
        block.native ??= false;
        line.msg = `${event === 'blocked' ? 'event loop blocked' : 'event loop still blocked'}${
          event === 'still blocked' ? (line.moved ? ', elsewhere' : ', in the same place') : ''
        }: ${describe(capture.frames)}`;
      } else if (capture.kind === 'native') {
        line.frames = [];
        line.native = true;
        block.native ??= true;
        line.msg = `${event === 'blocked' ? 'event loop blocked' : 'event loop still blocked'} outside JavaScript: the main thread did not reach JavaScript within ${STALL_LIMITS.nativeWaitMs} ms (a synchronous system call, an addon, or a very long garbage collection)`;
        block.late = capture.late.then((stack) => {
          // Any answer, a stack or an error, says the main thread is back in JavaScript.
          block.anchorLagSeconds = this.options.state.lagSeconds();
          block.capturesSinceAnchor = 0;
          if (stack && !this.closed) {
            const late = this.event('late stack');
            late.level = 'info';
            late.late = true;
            late.frames = stack.frames;
            late.stackMs = round3(stack.mainThreadMs);
            late.msg = `the first stack after the native code: ${describe(stack.frames)}; taken late, so not the blocking code`;
            this.emit(block, late);
          }
          block.late = undefined;
        });
      } else {
        // No stack will come in this process: one line per block is enough.
        block.captures = STALL_LIMITS.capturesPerBlock;
        line.frames = [];
        line.stackUnavailable = capture.reason;
        line.msg = `event loop blocked; no stack: ${capture.reason}`;
        if (!this.saidUnavailable) {
          this.saidUnavailable = true;
          this.options.unavailable(capture.reason);
        }
      }
      this.emit(block, line);
    });
  }

  private end(block: Block, beat: bigint): void {
    this.block = undefined;
    const seconds = Number(beat - block.beat) / 1e9;
    const bucket = BLOCK_DURATION_BUCKETS.findIndex((bound) => seconds <= bound);
    this.durations[bucket === -1 ? BLOCK_DURATION_BUCKETS.length : bucket]! += 1;
    this.durationSum += seconds;
    if (!this.options.reports) return;
    block.steps = block.steps.then(async () => {
      if (this.closed) return;
      const line = this.event('unblocked');
      line.level = 'info';
      line.durationSeconds = seconds;
      line.msg = `event loop unblocked after ${seconds.toFixed(3)} s`;
      this.emit(block, line);
      if (block.late) await Promise.race([block.late, new Promise((resolve) => setTimeout(resolve, STALL_LIMITS.lateWaitMs))]);
      if (this.closed) return;
      this.options.report({
        worker: this.options.workerName,
        thresholdSeconds: this.options.state.eventLoopBlockThresholdSeconds,
        startedAt: new Date(block.startedAt).toISOString(),
        durationSeconds: seconds,
        frames: block.frames ?? [],
        native: block.native ?? false,
        events: [...block.events],
      });
    });
  }

  private event(event: StallEventName): StallEvent {
    const { state, workerName } = this.options;
    return {
      time: new Date().toISOString(),
      level: 'warn',
      msg: '',
      worker: workerName,
      event,
      lagSeconds: state.lagSeconds(),
      thresholdSeconds: state.eventLoopBlockThresholdSeconds,
    };
  }

  private emit(block: Block, line: StallEvent): void {
    block.events.push(line);
    this.options.write(JSON.stringify(line));
  }
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

/** The innermost frame's function, where a loop stays and a chain of work moves on. */
function placeOf(frames: StallFrame[]): string | undefined {
  const top = frames.find((frame) => frame.kind === 'app') ?? frames[0];
  return top && `${top.function} ${top.url}`;
}

function describe(frames: StallFrame[]): string {
  const top = frames.find((frame) => frame.kind === 'app') ?? frames[0];
  return top ? `${top.function} (${top.url}:${top.line}:${top.column})` : 'no JavaScript frames';
}

import { resolveHealthTiming } from './config.js';

/** What `/health` reports. */
export type HealthStatus = 'STARTING' | 'HEALTHY' | 'UNHEALTHY';

/** Options of {@link HealthState.create}. */
export interface HealthStateOptions {
  /**
   * Lag, in seconds, above which the worker is UNHEALTHY (and `/livez` fails).
   * Default `5`; env `HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS`
   * (read by the caller through `readHealthcheckConfig`).
   */
  eventLoopBlockThresholdSeconds?: number;
  /**
   * How often the main thread's {@link Heartbeat} writes, in milliseconds. A
   * stall is seen within threshold + one interval. Default `100`.
   */
  heartbeatIntervalMs?: number;
  /**
   * How long the status may stay STARTING before the listener's first report;
   * after it, an unreported listener counts as UNHEALTHY. Default `10`.
   */
  startupGracePeriodSeconds?: number;
}

/** What crosses to another thread (via `postMessage` or `workerData`) to read the same state there. */
export interface SharedHealthState {
  readonly buffer: SharedArrayBuffer;
}

// Layout of the shared buffer. Times are process.hrtime.bigint() values:
// CLOCK_MONOTONIC, the same clock in every thread of the process.
const BYTES = 64;
const I64_STARTED_AT = 0;
const I64_LAST_BEAT = 1;
const I32_OFFSET = 16;
const I32_LISTENER = 0;
const I32_SHUTTING_DOWN = 1;
const F64_OFFSET = 32;
const F64_THRESHOLD_NS = 0;
const F64_INTERVAL_NS = 1;
const F64_GRACE_NS = 2;

// 0: STARTING, the buffer's initial value (no report yet).
const LISTENER_HEALTHY = 1;
const LISTENER_UNHEALTHY = 2;

const NS_PER_SECOND = 1e9;

function now(): bigint {
  return process.hrtime.bigint();
}

/**
 * The worker's health, kept in a `SharedArrayBuffer` so that another thread
 * reads it without a message round-trip, even while this thread is blocked.
 *
 * The main thread writes the listener status and a heartbeat; any thread
 * reads the lag (time since the last heartbeat, less one interval) and the
 * status. The lag grows in real time while the writer is blocked.
 */
export class HealthState {
  readonly shared: SharedHealthState;
  private readonly times: BigInt64Array;
  private readonly flags: Int32Array;
  private readonly settings: Float64Array;

  private constructor(shared: SharedHealthState) {
    if (!(shared?.buffer instanceof SharedArrayBuffer) || shared.buffer.byteLength !== BYTES) {
      throw new TypeError('HealthState.fromShared expects the `shared` object of a HealthState');
    }
    this.shared = shared;
    this.times = new BigInt64Array(shared.buffer, 0, 2);
    this.flags = new Int32Array(shared.buffer, I32_OFFSET, 2);
    this.settings = new Float64Array(shared.buffer, F64_OFFSET, 3);
  }

  /** A new state: status STARTING, heartbeat now, grace period running from now. */
  static create(options: HealthStateOptions = {}): HealthState {
    const {
      eventLoopBlockThresholdSeconds: threshold,
      heartbeatIntervalMs: intervalMs,
      startupGracePeriodSeconds: grace,
    } = resolveHealthTiming(options);
    const state = new HealthState({ buffer: new SharedArrayBuffer(BYTES) });
    // Written before the buffer is shared, so other threads see them without Atomics.
    state.settings[F64_THRESHOLD_NS] = threshold * NS_PER_SECOND;
    state.settings[F64_INTERVAL_NS] = intervalMs * 1e6;
    state.settings[F64_GRACE_NS] = grace * NS_PER_SECOND;
    const t = now();
    Atomics.store(state.times, I64_STARTED_AT, t);
    Atomics.store(state.times, I64_LAST_BEAT, t);
    return state;
  }

  /** The same state, read and written from another thread. */
  static fromShared(shared: SharedHealthState): HealthState {
    return new HealthState(shared);
  }

  /** The event-loop block threshold, in seconds. */
  get eventLoopBlockThresholdSeconds(): number {
    return this.settings[F64_THRESHOLD_NS]! / NS_PER_SECOND;
  }

  /** The heartbeat interval, in milliseconds. */
  get heartbeatIntervalMs(): number {
    return this.settings[F64_INTERVAL_NS]! / 1e6;
  }

  /** Records the listener's state; the first call ends STARTING. */
  setListenerHealthy(healthy: boolean): void {
    Atomics.store(this.flags, I32_LISTENER, healthy ? LISTENER_HEALTHY : LISTENER_UNHEALTHY);
  }

  /** `process.hrtime.bigint()` of the last heartbeat: it changes when a stalled loop runs again. */
  lastBeatAt(): bigint {
    return Atomics.load(this.times, I64_LAST_BEAT);
  }

  /** Records that the writing thread's event loop ran just now. */
  beat(): void {
    Atomics.store(this.times, I64_LAST_BEAT, now());
  }

  /** From now on the status is UNHEALTHY: a graceful shutdown is under way. */
  markShuttingDown(): void {
    Atomics.store(this.flags, I32_SHUTTING_DOWN, 1);
  }

  /** Whether {@link markShuttingDown} was called. */
  get shuttingDown(): boolean {
    return Atomics.load(this.flags, I32_SHUTTING_DOWN) === 1;
  }

  /** Time since the last heartbeat less one heartbeat interval, in seconds, never below 0. */
  lagSeconds(at: bigint = now()): number {
    const sinceBeat = Number(at - Atomics.load(this.times, I64_LAST_BEAT));
    return Math.max(0, sinceBeat - this.settings[F64_INTERVAL_NS]!) / NS_PER_SECOND;
  }

  /** Whether the lag is above the threshold: the event loop is stalled. */
  isStalled(at: bigint = now()): boolean {
    return this.lagSeconds(at) * NS_PER_SECOND > this.settings[F64_THRESHOLD_NS]!;
  }

  /**
   * The listener's own report: STARTING until the first one, and UNHEALTHY
   * once the startup grace period has passed without one.
   */
  listenerStatus(at: bigint = now()): HealthStatus {
    switch (Atomics.load(this.flags, I32_LISTENER)) {
      case LISTENER_HEALTHY:
        return 'HEALTHY';
      case LISTENER_UNHEALTHY:
        return 'UNHEALTHY';
      default: {
        const age = Number(at - Atomics.load(this.times, I64_STARTED_AT));
        return age > this.settings[F64_GRACE_NS]! ? 'UNHEALTHY' : 'STARTING';
      }
    }
  }

  /** UNHEALTHY while shutting down or stalled; otherwise the listener's status. */
  status(at: bigint = now()): HealthStatus {
    if (this.shuttingDown || this.isStalled(at)) return 'UNHEALTHY';
    return this.listenerStatus(at);
  }
}

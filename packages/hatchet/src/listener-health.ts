import { HATCHET_HEALTH_WINDOWS } from './windows.js';

/** Where the listener's health goes: a `WorkerHealthcheck` from `@worker-health/exporter`. */
export interface ListenerHealthSink {
  setListenerHealthy(healthy: boolean): void;
}

/** Why the listener is or is not healthy, as `hatchet_worker_listener_reason{reason}` says. */
export type ListenerReason = 'healthy' | 'starting' | 'stream_down' | 'heartbeats_failing' | 'stopping' | 'task_start_late';

/** Every {@link ListenerReason}: the values of the `reason` label. */
export const LISTENER_REASONS: readonly ListenerReason[] = [
  'healthy',
  'starting',
  'stream_down',
  'heartbeats_failing',
  'stopping',
  'task_start_late',
];

/** Settings of {@link ListenerHealth}. */
export interface ListenerHealthSettings {
  /** Longest time since the last heartbeat success that is still HEALTHY, in milliseconds. */
  heartbeatWindowMs: number;
  /** Longest time a received task may wait for its STARTED report, in milliseconds. */
  taskStartWindowMs: number;
}

/**
 * The listener's health from what the SDK does: the listen stream, the
 * heartbeat thread's reports, received and started tasks, and the start of a
 * shutdown. Reports to the sink only on a change; reports nothing (STARTING)
 * until the first HEALTHY, except that a shutdown or a broken hook is
 * UNHEALTHY at once.
 */
export class ListenerHealth {
  private reported: boolean | undefined;
  private reportedReason: ListenerReason | undefined;
  private everHealthy = false;
  private streamOpen = false;
  private streamOpenedAt = 0;
  private stream = 0;
  private beatSentSinceOpen = false;
  private lastBeatOkAt: number | undefined;
  private stopping = false;
  private broken = false;
  private closed = false;
  private readonly pendingTasks = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();

  /** `onReason` is told the reason at the first evaluation and on each change of it. */
  constructor(
    private readonly sink: ListenerHealthSink,
    private readonly settings: ListenerHealthSettings = {
      heartbeatWindowMs: HATCHET_HEALTH_WINDOWS.heartbeatWindowMs,
      taskStartWindowMs: 5_000,
    },
    private readonly onReason: (reason: ListenerReason) => void = () => {},
  ) {}

  /** The SDK began reading a new listen stream; returns its number for {@link streamClosed}. */
  streamOpened(): number {
    this.streamOpen = true;
    this.streamOpenedAt = performance.now();
    this.beatSentSinceOpen = false;
    this.lastBeatOkAt = undefined;
    // A stream no heartbeat confirms within the window: heartbeats_failing from then on.
    this.after(this.settings.heartbeatWindowMs);
    this.evaluate();
    return ++this.stream;
  }

  /** Listen stream number `stream` errored or ended (an older one closing late changes nothing). */
  streamClosed(stream: number): void {
    if (stream !== this.stream) return;
    this.streamOpen = false;
    this.evaluate();
  }

  /** The heartbeat thread is sending a beat. */
  heartbeatSending(): void {
    if (this.streamOpen) this.beatSentSinceOpen = true;
  }

  /** The heartbeat thread reports a beat answered by the engine. */
  heartbeatSucceeded(): void {
    // A beat counts only if it was sent while the current stream was open: a
    // success from before a reconnect says nothing about the new stream.
    if (!this.streamOpen || !this.beatSentSinceOpen) return;
    this.lastBeatOkAt = performance.now();
    this.after(this.settings.heartbeatWindowMs);
    this.evaluate();
  }

  /** A task arrived on the stream. */
  taskReceived(id: string): void {
    this.pendingTasks.set(id, performance.now());
    this.after(this.settings.taskStartWindowMs);
  }

  /** The SDK reported the task STARTED (or COMPLETED/FAILED) to the engine. */
  taskStarted(id: string): void {
    if (this.pendingTasks.delete(id)) this.evaluate();
  }

  /** The engine cancelled the task: it no longer waits for a start, and it did not start. */
  taskCancelled(id: string): void {
    if (this.pendingTasks.delete(id)) this.evaluate();
  }

  /** Whether a task received on the stream waits for its STARTED report. */
  isPending(id: string): boolean {
    return this.pendingTasks.has(id);
  }

  /** The worker began to stop (`worker.stop()`, SIGTERM/SIGINT, the kill path): UNHEALTHY from now on. */
  stoppingNow(): void {
    this.stopping = true;
    this.evaluate();
  }

  /** A hook could not be placed on an object the SDK made at run time: UNHEALTHY from now on. */
  hookBroken(): void {
    this.broken = true;
    this.evaluate();
  }

  /** Reports the reason as of now (the first call tells `onReason` the starting one). */
  check(): void {
    this.evaluate();
  }

  /** Stops the timers; nothing is reported after this. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.pendingTasks.clear();
  }

  /** Whether the listener is healthy now, by the rules in the package's README. */
  isHealthy(at = performance.now()): boolean {
    return this.reason(at) === 'healthy';
  }

  /**
   * Why the listener is or is not healthy now: stopping; heartbeats_failing (also when the
   * heartbeat thread could not be hooked); stream_down (no stream open, or a reconnected one no
   * heartbeat confirmed yet); starting (before the first HEALTHY: no stream yet, or none confirmed);
   * task_start_late; else healthy.
   */
  reason(at = performance.now()): ListenerReason {
    if (this.stopping) return 'stopping';
    if (this.broken) return 'heartbeats_failing';
    if (!this.streamOpen) return this.stream > 0 ? 'stream_down' : 'starting';
    if (this.lastBeatOkAt === undefined) {
      if (at - this.streamOpenedAt > this.settings.heartbeatWindowMs) return 'heartbeats_failing';
      return this.everHealthy ? 'stream_down' : 'starting';
    }
    if (at - this.lastBeatOkAt > this.settings.heartbeatWindowMs) return 'heartbeats_failing';
    for (const receivedAt of this.pendingTasks.values()) {
      if (at - receivedAt > this.settings.taskStartWindowMs) return 'task_start_late';
    }
    return 'healthy';
  }

  private evaluate(): void {
    if (this.closed) return;
    const reason = this.reason();
    if (reason !== this.reportedReason) {
      this.reportedReason = reason;
      this.onReason(reason);
    }
    const healthy = reason === 'healthy';
    if (healthy) this.everHealthy = true;
    // Before the first HEALTHY the status stays STARTING (the healthcheck turns it
    // UNHEALTHY after its grace period), unless the worker is stopping or unwatchable.
    if (!healthy && !this.everHealthy && !this.stopping && !this.broken) return;
    if (this.reported === healthy) return;
    this.reported = healthy;
    this.sink.setListenerHealthy(healthy);
  }

  /** Re-evaluates once `ms` have passed. */
  private after(ms: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      // After a blocked event loop, timers run before the heartbeat messages queued
      // meanwhile; setImmediate lets those arrive before a window is judged expired.
      setImmediate(() => this.evaluate());
    }, ms + 1);
    timer.unref();
    this.timers.add(timer);
  }
}

import type { HealthState } from './health-state.js';

/**
 * Writes the main thread's heartbeat into a {@link HealthState} on a timer.
 * The timer is unref'd: it never keeps the process alive by itself.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly state: HealthState) {}

  /** Starts beating (beats once at once). Calling it again does nothing. */
  start(): void {
    if (this.timer) return;
    this.state.beat();
    this.timer = setInterval(() => this.state.beat(), this.state.heartbeatIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer. Idempotent. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Whether the timer is running. */
  get running(): boolean {
    return this.timer !== undefined;
  }
}

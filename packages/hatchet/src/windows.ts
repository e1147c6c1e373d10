/**
 * The time windows of the Hatchet adapter, from the SDK's own figures: its
 * heartbeat thread beats every 4 s and, from 1.30, gives each beat a 5 s
 * deadline (older versions have none). After a success at t, the next beat starts by
 * t + 4 s and, on a slow but working engine, may succeed as late as t + 9 s.
 * One more second covers the thread's timer and the message to the main thread.
 */
export const HATCHET_HEALTH_WINDOWS = {
  /** The SDK's heartbeat period, in milliseconds (not configurable in the SDK). */
  sdkHeartbeatIntervalMs: 4_000,
  /** The SDK's deadline on one heartbeat, in milliseconds (from 1.30; older versions have none). */
  sdkHeartbeatDeadlineMs: 5_000,
  /**
   * Longest time since the last heartbeat success that is still HEALTHY: interval + deadline + 1 s.
   * One failed beat (the SDK itself stays silent on the first) does not flip the status; two in a
   * row, or one that hangs, do.
   */
  heartbeatWindowMs: 10_000,
} as const;

/**
 * The time windows of the Hatchet adapter, from the SDK's own figures: its
 * heartbeat thread beats every 4 s and gives each beat a 5 s deadline (SDK
 * 1.33; 1.21 has no deadline). After a success at t, the next beat starts by
 * t + 4 s and, on a slow but working engine, may succeed as late as t + 9 s.
 * One more second covers the thread's timer and the message to the main thread.
 */
export const HATCHET_HEALTH_WINDOWS = {
  /** The SDK's heartbeat period, in milliseconds (not configurable in the SDK). */
  sdkHeartbeatIntervalMs: 4_000,
  /** The SDK's deadline on one heartbeat, in milliseconds (1.33.2 has it; 1.21.0 has none). */
  sdkHeartbeatDeadlineMs: 5_000,
  /**
   * Longest time since the last heartbeat success that is still HEALTHY: interval + deadline + 1 s.
   * One failed beat (the SDK itself stays silent on the first) does not flip the status; two in a
   * row, or one that hangs, do.
   */
  heartbeatWindowMs: 10_000,
} as const;

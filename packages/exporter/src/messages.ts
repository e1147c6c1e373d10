import type { SharedHealthState } from '@worker-health/core';

/** What the health thread is started with (`workerData`). */
export interface HealthThreadData {
  shared: SharedHealthState;
  workerName: string;
  port: number;
  bindAddress: string;
  metricsTimeoutMs: number;
  /** Serve process metrics and `nodejs_version_info` from the thread. */
  defaultMetrics: boolean;
  /** Whether the main thread has metrics to add (runtime or application): if not, /metrics never asks it. */
  mainThreadMetrics: boolean;
}

/** Health thread → main thread. */
export type ThreadMessage =
  | { type: 'listening'; port: number }
  | { type: 'listen-error'; code: string | undefined; message: string }
  | { type: 'collect'; id: number };

/** Main thread → health thread. */
export type MainMessage =
  | { type: 'metrics'; id: number; text: string | null }
  | { type: 'close'; graceMs: number }
  | { type: 'test:crash' };

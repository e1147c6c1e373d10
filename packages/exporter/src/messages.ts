import type { SharedHealthState } from '@worker-health/core';

/** What the health thread is started with (`workerData`). */
export interface HealthThreadData {
  shared: SharedHealthState;
  workerName: string;
  port: number;
  bindAddress: string;
  metricsTimeoutMs: number;
}

/** Health thread → main thread. */
export type ThreadMessage =
  | { type: 'listening'; port: number }
  | { type: 'listen-error'; code: string | undefined; message: string }
  | { type: 'collect'; id: number }
  | { type: 'closed' };

/** Main thread → health thread. */
export type MainMessage =
  | { type: 'metrics'; id: number; text: string }
  | { type: 'close'; graceMs: number }
  | { type: 'test:crash' };

import type { SharedHealthState, WorkerMetricNames } from '@worker-health/core';
import type { AppMetricsSnapshot } from './app-metrics-collector.js';
import type { SharedRuntimeFigures } from './runtime-figures.js';

/** What the health thread is started with (`workerData`). */
export interface HealthThreadData {
  health: SharedHealthState;
  /** The two worker gauges: family names and the labels of their series. */
  gauges: { names: WorkerMetricNames; labels: string };
  port: number;
  bindAddress: string;
  maxConnections: number;
  /** Set with the `defaultMetrics` option: the process's metrics are measured in the thread, the main thread's runtime figures read from `runtimeFigures`. */
  defaultMetrics: { runtimeFigures: SharedRuntimeFigures } | undefined;
  /** Set when the application passed a reader: how long a scrape waits for the main thread to collect it. */
  appMetrics: { timeoutMs: number } | undefined;
}

/** Health thread → main thread. */
export type ThreadMessage =
  | { type: 'listening'; port: number }
  | { type: 'listen-error'; code: string | undefined; message: string }
  | { type: 'collect-app-metrics'; id: number }
  | { type: 'error'; message: string; stack: string | undefined };

/** Main thread → health thread. */
export type MainMessage = { type: 'app-metrics'; id: number; snapshot: AppMetricsSnapshot | null } | { type: 'close'; graceMs: number };

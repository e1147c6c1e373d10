// The message protocol between the main thread and the health thread (both
// directions), and what the thread starts with. Plain data only: structured
// clone keeps no prototypes.
import type { SharedHealthState, WorkerMetricNames } from '@worker-health/core';
import type { SharedRuntimeFigures } from './runtime-figures.js';
import type { SharedFamily, SharedSeries, SharedSeriesState } from './shared-series.js';
import type { StallReport } from './stall-report.js';

/**
 * The application's metrics, collected and written as Prometheus text (its
 * `target_info` first) on the main thread at the health thread's request. The
 * chunks are transferred, not copied: each owns its whole `ArrayBuffer`.
 */
export interface AppMetricsSnapshot {
  chunks: Uint8Array[];
  /** Total bytes of the chunks. */
  bytes: number;
  /** The OpenTelemetry names of the families: default families of the same names are left out of the page. */
  familyNames: string[];
  /** `process.hrtime.bigint()` when the collection began: the age a scrape reports counts from here. */
  collectedAt: bigint;
}

/** What the health thread is started with (`workerData`). */
export interface HealthThreadData {
  health: SharedHealthState;
  /** The two worker gauges: family names and the labels of their series, as text (`''` or `{worker="…"}`). */
  gauges: { names: WorkerMetricNames; labels: string };
  port: number;
  bindAddress: string;
  maxConnections: number;
  /** Set with the `defaultMetrics` option: the process's metrics are measured in the thread, the main thread's runtime figures read from `runtimeFigures`. */
  defaultMetrics: { runtimeFigures: SharedRuntimeFigures } | undefined;
  /** Set when the application passed a reader: how long a scrape waits for the main thread to collect it. */
  appMetrics: { timeoutMs: number } | undefined;
  /** The shared families (`WorkerHealthcheck.sharedMetrics`) described so far, and their values' buffer. */
  sharedSeries: SharedSeriesState;
  /** Stall reports: whether they are written (blocks are counted either way), and why not by default. */
  stall: { workerName: string; reports: boolean; offBecause: string | undefined };
}

/** Health thread → main thread. */
export type ThreadMessage =
  | { type: 'listening'; port: number }
  | { type: 'listen-error'; code: string | undefined; message: string }
  | { type: 'collect-app-metrics'; id: number }
  | { type: 'error'; message: string; stack: string | undefined }
  | { type: 'stall'; report: StallReport }
  | { type: 'stall-unavailable'; reason: string }
  /** An uncaught exception in the thread: it has disconnected its inspector sessions and stopped serving, and waits to be terminated. */
  | { type: 'crashed'; message: string; stack: string | undefined }
  /** After `close`: the server is closed and the inspector sessions disconnected; the thread exits on `exit`. */
  | { type: 'closed' };

/** Main thread → health thread. */
export type MainMessage =
  | { type: 'app-metrics'; id: number; snapshot: AppMetricsSnapshot | null }
  | { type: 'shared-family'; family: SharedFamily }
  | { type: 'shared-series'; series: SharedSeries }
  | { type: 'close'; graceMs: number }
  | { type: 'exit' };

export { HealthcheckListenError, HealthThreadError, MetricReaderError } from './main/errors.js';
export { RESTART_POLICY } from './main/health-thread-host.js';
export { WORKER_HEALTHCHECK_DEFAULTS, type WorkerHealthcheckOptions } from './main/options.js';
export type {
  MetricLabels,
  SharedAge,
  SharedCounter,
  SharedGauge,
  SharedHistogram,
  SharedHistogramOptions,
  SharedMetricOptions,
  SharedMetrics,
} from './main/shared-metrics.js';
export { startWorkerHealthcheck, startWorkerHealthcheckFromEnv, type WorkerHealthcheck } from './main/worker-healthcheck.js';
export { SERVER_LIMITS } from './shared/server-limits.js';
export {
  HealthcheckConfigError,
  LABELLED_METRIC_NAMES,
  readHealthcheckConfig,
  WorkerHealthError,
  workerMetricNames,
  type HealthcheckConfig,
  type HealthStatus,
  type MetricNameForm,
} from '@worker-health/core';

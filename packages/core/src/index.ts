export { checkNumber, type NumberRange } from './check-number.js';
export {
  HEALTHCHECK_DEFAULTS,
  HEALTHCHECK_ENV,
  HEALTH_TIMING_DEFAULTS,
  readHealthcheckConfig,
  resolveHealthTiming,
  validateBindAddress,
  validatePortOption,
  validateThresholdOption,
  type HealthcheckConfig,
  type HealthTiming,
} from './config.js';
export { HealthcheckConfigError, WorkerHealthError } from './errors.js';
export { registerWorkerHealthGauges, type WorkerHealthGauges, type WorkerHealthGaugesOptions } from './gauges.js';
export { HealthState, type HealthStateOptions, type HealthStatus, type SharedHealthState } from './health-state.js';
export { Heartbeat } from './heartbeat.js';
export {
  EVENT_LOOP_LAG_HELP,
  LABELLED_METRIC_NAMES,
  LISTENER_HEALTH_HELP,
  workerGaugeNaming,
  workerMetricNames,
  type MetricNameForm,
  type WorkerGaugeNaming,
  type WorkerMetricNames,
} from './metric-names.js';

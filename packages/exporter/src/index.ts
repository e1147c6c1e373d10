export { HealthcheckListenError, HealthThreadError } from './errors.js';
export { SERVER_LIMITS } from './health-server.js';
export { RESTART_POLICY } from './health-thread-host.js';
export {
  startWorkerHealthcheck,
  startWorkerHealthcheckFromEnv,
  type WorkerHealthcheck,
  type WorkerHealthcheckFromEnvOptions,
  type WorkerHealthcheckOptions,
} from './worker-healthcheck.js';
export {
  HealthcheckConfigError,
  LABELLED_METRIC_NAMES,
  readHealthcheckConfig,
  workerMetricNames,
  type HealthcheckConfig,
  type HealthStatus,
} from '@worker-health/core';

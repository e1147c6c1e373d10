export { HealthcheckListenError, HealthThreadError } from './errors.js';
export { SERVER_LIMITS } from './health-server.js';
export { RESTART_POLICY } from './health-thread-host.js';
export { HealthcheckMetricReader } from './metric-reader.js';
export {
  startWorkerHealthcheck,
  startWorkerHealthcheckFromEnv,
  type WorkerHealthcheck,
  type WorkerHealthcheckFromEnvOptions,
  type WorkerHealthcheckOptions,
} from './worker-healthcheck.js';
export {
  HealthcheckConfigError,
  readHealthcheckConfig,
  workerMetricNames,
  type HealthcheckConfig,
  type HealthStatus,
} from '@worker-health/core';

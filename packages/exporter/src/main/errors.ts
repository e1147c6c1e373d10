import { HEALTHCHECK_ENV, WorkerHealthError } from '@worker-health/core';

/** The healthcheck server could not listen: the port is taken, the address is not local, or access is denied. */
export class HealthcheckListenError extends WorkerHealthError {
  declare readonly code: 'ERR_WORKER_HEALTH_PORT_IN_USE' | 'ERR_WORKER_HEALTH_LISTEN';
  /** The port that was asked for. */
  readonly port: number;
  /** The address that was asked for. */
  readonly bindAddress: string;
  /** The operating system's error code (`EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`, …). */
  readonly syscallCode: string | undefined;

  constructor(port: number, bindAddress: string, syscallCode: string | undefined, detail: string) {
    const inUse = syscallCode === 'EADDRINUSE';
    super(
      inUse ? 'ERR_WORKER_HEALTH_PORT_IN_USE' : 'ERR_WORKER_HEALTH_LISTEN',
      inUse
        ? `worker healthcheck: port ${port} on ${bindAddress} is already in use; ` +
            `choose another with ${HEALTHCHECK_ENV.port} or the \`port\` option (0 picks a free port)`
        : `worker healthcheck: cannot listen on ${bindAddress}:${port} (${syscallCode ?? 'error'}: ${detail}); ` +
            `check ${HEALTHCHECK_ENV.bindAddress} / ${HEALTHCHECK_ENV.port} or the \`bindAddress\` / \`port\` options`,
    );
    this.port = port;
    this.bindAddress = bindAddress;
    this.syscallCode = syscallCode;
  }
}

/** The health thread failed: it crashed, could not be started or restarted, or failed to serve a request. */
export class HealthThreadError extends WorkerHealthError {
  declare readonly code: 'ERR_WORKER_HEALTH_THREAD';

  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_WORKER_HEALTH_THREAD', `worker healthcheck: ${message}`, options);
  }
}

/** The application's `metricReader` could not be collected on the main thread, or its metrics not passed on. */
export class MetricReaderError extends WorkerHealthError {
  declare readonly code: 'ERR_WORKER_HEALTH_METRIC_READER';

  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_WORKER_HEALTH_METRIC_READER', `worker healthcheck: ${message}`, options);
  }
}

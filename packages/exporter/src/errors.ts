import { HEALTHCHECK_ENV } from '@worker-health/core';

/** The healthcheck server could not listen: the port is taken, the address is not local, or access is denied. */
export class HealthcheckListenError extends Error {
  readonly code: 'ERR_WORKER_HEALTHCHECK_PORT_IN_USE' | 'ERR_WORKER_HEALTHCHECK_LISTEN';
  /** The port that was asked for. */
  readonly port: number;
  /** The address that was asked for. */
  readonly bindAddress: string;
  /** The operating system's error code (`EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`, …). */
  readonly syscallCode: string | undefined;

  constructor(port: number, bindAddress: string, syscallCode: string | undefined, detail: string) {
    const inUse = syscallCode === 'EADDRINUSE';
    super(
      inUse
        ? `worker healthcheck: port ${port} on ${bindAddress} is already in use; ` +
            `choose another with ${HEALTHCHECK_ENV.port} or the \`port\` option (0 picks a free port)`
        : `worker healthcheck: cannot listen on ${bindAddress}:${port} (${syscallCode ?? 'error'}: ${detail}); ` +
            `check ${HEALTHCHECK_ENV.bindAddress} / ${HEALTHCHECK_ENV.port} or the \`bindAddress\` / \`port\` options`,
    );
    this.name = 'HealthcheckListenError';
    this.code = inUse ? 'ERR_WORKER_HEALTHCHECK_PORT_IN_USE' : 'ERR_WORKER_HEALTHCHECK_LISTEN';
    this.port = port;
    this.bindAddress = bindAddress;
    this.syscallCode = syscallCode;
  }
}

/** The health thread failed: it crashed, or could not be started or restarted. */
export class HealthThreadError extends Error {
  readonly code = 'ERR_WORKER_HEALTHCHECK_THREAD';

  constructor(message: string, options?: { cause?: unknown }) {
    super(`worker healthcheck: ${message}`, options);
    this.name = 'HealthThreadError';
  }
}

import {
  HEALTHCHECK_ENV,
  HealthState,
  Heartbeat,
  readHealthcheckConfig,
  validateBindAddress,
  validatePortOption,
  validateThresholdOption,
  workerMetricNames,
  HealthcheckConfigError,
  type HealthStatus,
} from '@worker-health/core';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import { HealthThreadHost } from './health-thread-host.js';
import { MainThreadMetrics } from './main-thread-metrics.js';

/** Options of {@link startWorkerHealthcheck}. Explicit options win over the environment. */
export interface WorkerHealthcheckOptions {
  /** The worker's name, appended (sanitized) to the gauge names. Required. */
  workerName: string;
  /**
   * Port of `/health`, `/livez`, `/readyz` and `/metrics`; 0 binds a free port (see `port` on the handle).
   * Default: env `HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT`, else `8001`.
   */
  port?: number;
  /** Address to bind. Default: env `HATCHET_CLIENT_WORKER_HEALTHCHECK_BIND_ADDRESS`, else `0.0.0.0`. */
  bindAddress?: string;
  /**
   * Event-loop lag, in seconds, above which `/health` is 503 and `/livez` fails.
   * Default: env `HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS`, else `5`.
   */
  eventLoopBlockThresholdSeconds?: number;
  /**
   * A {@link HealthcheckMetricReader} registered on the application's `MeterProvider`:
   * its metrics are served on `/metrics` too. Default: none.
   */
  metricReader?: MetricReader;
  /** Where the `HATCHET_CLIENT_WORKER_HEALTHCHECK_*` variables are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Main-thread heartbeat period in milliseconds; a stall is seen within threshold + this. Default `100`. */
  heartbeatIntervalMs?: number;
  /** Seconds the status may stay STARTING before the first `setListenerHealthy`. Default `10`. */
  startupGracePeriodSeconds?: number;
  /**
   * How long `/metrics` waits for the main thread's metrics (runtime and application)
   * before serving the last snapshot instead, in milliseconds, 1 to 1000. Default `500`.
   */
  metricsTimeoutMs?: number;
  /**
   * Serve the default process and runtime metrics: process CPU and memory,
   * `nodejs_version_info`, event-loop delay and utilization, heap and GC.
   * Turn off when your own MeterProvider already has runtime instrumentation
   * (the families would be served twice), or for the smallest footprint. Default `true`.
   */
  defaultMetrics?: boolean;
  /**
   * Told of health-thread failures (a crash, a failed restart). The thread is
   * restarted; these are never thrown into the host. Default: `process.emitWarning`.
   */
  onError?: (error: Error) => void;
}

/** Options of {@link startWorkerHealthcheckFromEnv}. */
export type WorkerHealthcheckFromEnvOptions = WorkerHealthcheckOptions;

/** A running healthcheck. */
export interface WorkerHealthcheck {
  /** The port actually bound. */
  readonly port: number;
  /** Reports the listener's connection: `true` healthy, `false` not. The first call ends STARTING. */
  setListenerHealthy(healthy: boolean): void;
  /** What `/health` reports now. */
  status(): HealthStatus;
  /** Marks the worker UNHEALTHY, closes the server (frees the port), stops the thread and timers. Idempotent. */
  shutdown(): Promise<void>;
}

const DEFAULT_METRICS_TIMEOUT_MS = 500;

/**
 * Serves `/health`, `/livez`, `/readyz` and `/metrics` from a worker thread,
 * so they answer while the main thread's event loop is blocked. Rejects with
 * `HealthcheckConfigError` for bad options or environment, and with
 * `HealthcheckListenError` when the port cannot be bound.
 */
export async function startWorkerHealthcheck(options: WorkerHealthcheckOptions): Promise<WorkerHealthcheck> {
  const settings = resolve(options);
  const state = HealthState.create({
    eventLoopBlockThresholdSeconds: settings.eventLoopBlockThresholdSeconds,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    startupGracePeriodSeconds: options.startupGracePeriodSeconds,
  });
  const heartbeat = new Heartbeat(state);
  const defaultMetrics = options.defaultMetrics ?? true;
  const metrics = new MainThreadMetrics(options.metricReader, defaultMetrics);
  const onError = options.onError ?? ((error: Error) => process.emitWarning(error.message, { code: (error as { code?: string }).code }));
  const host = new HealthThreadHost(
    {
      shared: state.shared,
      workerName: options.workerName,
      port: settings.port,
      bindAddress: settings.bindAddress,
      metricsTimeoutMs: settings.metricsTimeoutMs,
      defaultMetrics,
      mainThreadMetrics: metrics.enabled,
    },
    metrics,
    onError,
  );
  heartbeat.start();
  let port: number;
  try {
    await metrics.start();
    port = await host.start();
  } catch (error) {
    heartbeat.stop();
    await metrics.shutdown();
    throw error;
  }
  return new RunningHealthcheck(port, state, heartbeat, metrics, host);
}

/**
 * Starts the healthcheck only when `HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED`
 * is true; resolves `undefined` (and opens nothing) otherwise. Malformed
 * variables reject with `HealthcheckConfigError` either way.
 */
export async function startWorkerHealthcheckFromEnv(
  options: WorkerHealthcheckFromEnvOptions,
): Promise<WorkerHealthcheck | undefined> {
  const config = readHealthcheckConfig(options.env ?? process.env);
  return config.enabled ? startWorkerHealthcheck(options) : undefined;
}

interface Settings {
  port: number;
  bindAddress: string;
  eventLoopBlockThresholdSeconds: number;
  metricsTimeoutMs: number;
}

function resolve(options: WorkerHealthcheckOptions): Settings {
  if (typeof options !== 'object' || options === null) {
    throw new HealthcheckConfigError('options', options, 'an object with at least `workerName`');
  }
  workerMetricNames(options.workerName);
  if ('meterProvider' in options) {
    // OpenTelemetry JS 2.x takes readers only when a MeterProvider is built; one cannot be added afterwards.
    throw new HealthcheckConfigError(
      'meterProvider',
      typeof (options as { meterProvider?: unknown }).meterProvider,
      'no such option: build your MeterProvider with `readers: [new HealthcheckMetricReader()]` and pass that reader as `metricReader`',
    );
  }
  // Variables overridden by an option are not read, so a stale one cannot fail the start.
  const env = { ...(options.env ?? process.env) };
  if (options.port !== undefined) delete env[HEALTHCHECK_ENV.port];
  if (options.bindAddress !== undefined) delete env[HEALTHCHECK_ENV.bindAddress];
  if (options.eventLoopBlockThresholdSeconds !== undefined) delete env[HEALTHCHECK_ENV.eventLoopBlockThresholdSeconds];
  const fromEnv = readHealthcheckConfig(env);
  if (options.defaultMetrics !== undefined && typeof options.defaultMetrics !== 'boolean') {
    throw new HealthcheckConfigError('defaultMetrics', options.defaultMetrics, 'true or false');
  }
  const metricsTimeoutMs = options.metricsTimeoutMs ?? DEFAULT_METRICS_TIMEOUT_MS;
  if (!Number.isFinite(metricsTimeoutMs) || metricsTimeoutMs < 1 || metricsTimeoutMs > 1000) {
    throw new HealthcheckConfigError('metricsTimeoutMs', metricsTimeoutMs, 'a number of milliseconds from 1 to 1000');
  }
  return {
    port: options.port !== undefined ? validatePortOption(options.port) : fromEnv.port,
    bindAddress: options.bindAddress !== undefined ? validateBindAddress(options.bindAddress) : fromEnv.bindAddress,
    eventLoopBlockThresholdSeconds:
      options.eventLoopBlockThresholdSeconds !== undefined
        ? validateThresholdOption(options.eventLoopBlockThresholdSeconds)
        : fromEnv.eventLoopBlockThresholdSeconds,
    metricsTimeoutMs,
  };
}

class RunningHealthcheck implements WorkerHealthcheck {
  private stopping: Promise<void> | undefined;

  constructor(
    readonly port: number,
    private readonly state: HealthState,
    private readonly heartbeat: Heartbeat,
    private readonly metrics: MainThreadMetrics,
    /** @internal */ readonly host: HealthThreadHost,
  ) {}

  setListenerHealthy(healthy: boolean): void {
    this.state.setListenerHealthy(healthy === true);
  }

  status(): HealthStatus {
    return this.state.status();
  }

  shutdown(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  private async stop(): Promise<void> {
    this.state.markShuttingDown();
    try {
      await this.host.close();
    } finally {
      this.heartbeat.stop();
      await this.metrics.shutdown();
    }
  }
}

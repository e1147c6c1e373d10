import { HealthState, Heartbeat, type HealthStatus, type MetricNameForm } from '@worker-health/core';
import { AppMetricsCollector } from './app-metrics-collector.js';
import { HealthThreadHost, type HealthThreadHostOptions } from './health-thread-host.js';
import { resolveSettings, type HealthcheckSettings, type WorkerHealthcheckOptions } from './options.js';
import { RuntimeRecorder } from './runtime-recorder.js';
import { SharedMetricsRegistry, type SharedMetrics } from './shared-metrics.js';

/** A running healthcheck. */
export interface WorkerHealthcheck {
  /** The port actually bound. */
  readonly port: number;
  /** The worker's name, as given. */
  readonly workerName: string;
  /** How the worker's metrics are named (the `metricNameForm` option). */
  readonly metricNameForm: MetricNameForm;
  /**
   * Families kept in shared memory: written here, served by the health thread, also while this
   * thread is blocked. For adapters such as `@worker-health/hatchet`; see {@link SharedMetrics}.
   */
  readonly sharedMetrics: SharedMetrics;
  /** The event-loop block threshold in force, in seconds (from the option, else the environment, else 5). */
  readonly eventLoopBlockThresholdSeconds: number;
  /** Reports the listener's connection: `true` healthy, `false` not. The first call ends STARTING. */
  setListenerHealthy(healthy: boolean): void;
  /** What `/health` reports now. */
  status(): HealthStatus;
  /** Marks the worker UNHEALTHY, closes the server (frees the port), stops the thread and timers. Idempotent. */
  shutdown(): Promise<void>;
}

/**
 * Serves `/health`, `/livez`, `/readyz` and `/metrics` from a worker thread,
 * so they answer while the main thread's event loop is blocked. Starts
 * whatever `HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED` says. Rejects with
 * `HealthcheckConfigError` for bad options or environment, and with
 * `HealthcheckListenError` when the port cannot be bound.
 */
export async function startWorkerHealthcheck(options: WorkerHealthcheckOptions): Promise<WorkerHealthcheck> {
  return startHealthcheck(resolveSettings(options));
}

/**
 * Starts the healthcheck only when `HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED`
 * is true; resolves `undefined` (and opens nothing) otherwise. Options and
 * variables are resolved exactly as by {@link startWorkerHealthcheck}: bad
 * ones reject with `HealthcheckConfigError` either way.
 */
export async function startWorkerHealthcheckFromEnv(options: WorkerHealthcheckOptions): Promise<WorkerHealthcheck | undefined> {
  const settings = resolveSettings(options);
  return settings.enabled ? startHealthcheck(settings) : undefined;
}

/** Seams for tests: how the thread is started. Not part of the public API. */
export interface StartSeams {
  spawnThread?: HealthThreadHostOptions['spawnThread'];
}

/** Starts a healthcheck from resolved settings. */
export async function startHealthcheck(settings: HealthcheckSettings, seams: StartSeams = {}): Promise<WorkerHealthcheck> {
  const state = HealthState.create(settings);
  const heartbeat = new Heartbeat(state);
  const runtime = settings.defaultMetrics ? new RuntimeRecorder({ gc: settings.gcMetrics }) : undefined;
  const sharedMetrics = new SharedMetricsRegistry(settings.onError);
  const host = new HealthThreadHost({
    data: {
      health: state.shared,
      gauges: settings.gauges,
      port: settings.port,
      bindAddress: settings.bindAddress,
      maxConnections: settings.maxConnections,
      defaultMetrics: runtime ? { runtimeFigures: runtime.shared } : undefined,
      appMetrics: settings.metricReader ? { timeoutMs: settings.metricsTimeoutMs } : undefined,
    },
    sharedMetrics,
    app: settings.metricReader ? new AppMetricsCollector(settings.metricReader, settings.onError) : undefined,
    onError: settings.onError,
    spawnThread: seams.spawnThread,
  });
  heartbeat.start();
  runtime?.start();
  let port: number;
  try {
    port = await host.start();
  } catch (error) {
    heartbeat.stop();
    runtime?.stop();
    throw error;
  }
  return new RunningHealthcheck(port, settings, state, heartbeat, runtime, host, sharedMetrics);
}

class RunningHealthcheck implements WorkerHealthcheck {
  private stopping: Promise<void> | undefined;

  readonly workerName: string;
  readonly metricNameForm: MetricNameForm;

  constructor(
    readonly port: number,
    settings: HealthcheckSettings,
    private readonly state: HealthState,
    private readonly heartbeat: Heartbeat,
    private readonly runtime: RuntimeRecorder | undefined,
    private readonly host: HealthThreadHost,
    private readonly shared: SharedMetricsRegistry,
  ) {
    this.workerName = settings.workerName;
    this.metricNameForm = settings.metricNameForm;
  }

  get sharedMetrics(): SharedMetrics {
    return this.shared;
  }

  get eventLoopBlockThresholdSeconds(): number {
    return this.state.eventLoopBlockThresholdSeconds;
  }

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
    this.shared.close();
    try {
      await this.host.close();
    } finally {
      this.heartbeat.stop();
      this.runtime?.stop();
    }
  }
}

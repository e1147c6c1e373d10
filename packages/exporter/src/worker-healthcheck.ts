import { HealthState, Heartbeat, type HealthStatus } from '@worker-health/core';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import { AppMetricsCollector } from './app-metrics-collector.js';
import { HealthThreadHost, type HealthThreadHostOptions } from './health-thread-host.js';
import { RuntimeRecorder } from './runtime-recorder.js';
import { resolveSettings, type HealthcheckSettings } from './settings.js';

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
   * How long a scrape waits for the main thread to collect the `metricReader`'s
   * metrics, in milliseconds, 1 to 1000; when it is late, the newest collection
   * that completed is served and `worker_health_main_thread_metrics_age_seconds`
   * says how old it is. Default `500`. (The runtime metrics need no waiting: the
   * main thread records them into shared memory every second.)
   */
  metricsTimeoutMs?: number;
  /**
   * Serve the default process and runtime metrics: process CPU and memory,
   * `nodejs_version_info`, event-loop delay and utilization, heap and GC.
   * The event-loop, heap and GC figures are the main thread's, recorded into
   * shared memory every second. A family that the `metricReader`'s own metrics
   * also hold (your own runtime instrumentation, say) is served once, yours.
   * Turn off for the smallest footprint. Default `true`.
   */
  defaultMetrics?: boolean;
  /**
   * Serve `v8js_gc_duration` (GC durations by kind) among the default metrics.
   * Off by default: observing every garbage collection costs an
   * allocation-heavy worker about 1.5 % of its throughput and 4 MiB of RSS
   * (BENCHMARKS.md, "Cost"). Needs `defaultMetrics`. Default `false`.
   */
  gcMetrics?: boolean;
  /**
   * Most connections the server holds open at once. A connection arriving at
   * the cap closes the oldest idle one, so a fresh probe is answered however
   * many idle clients there are; the cap keeps clients from taking the file
   * descriptors the application needs. Default `256` (`SERVER_LIMITS.maxConnections`).
   */
  maxConnections?: number;
  /**
   * How the worker's gauges are named. `'suffix'`: the worker name ends the
   * metric name, `hatchet_worker_listener_health_my_worker`, as the Hatchet
   * page documents. `'label'`: `hatchet_worker_listener_health{worker="my_worker"}`,
   * the Prometheus convention, which lets one alert rule and one dashboard
   * cover every worker. Default `'suffix'`.
   */
  metricNameForm?: 'suffix' | 'label';
  /**
   * Told of health-thread failures (a crash, a failed restart, an error while
   * building `/metrics`, a `metricReader` that cannot collect). The thread is
   * restarted; these are never thrown into the host, and a handler that throws
   * is contained (both errors become process warnings). Default: `process.emitWarning`.
   */
  onError?: (error: Error) => void;
}

/** Options of {@link startWorkerHealthcheckFromEnv}. */
export type WorkerHealthcheckFromEnvOptions = WorkerHealthcheckOptions;

/** A running healthcheck. */
export interface WorkerHealthcheck {
  /** The port actually bound. */
  readonly port: number;
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
export async function startWorkerHealthcheckFromEnv(options: WorkerHealthcheckFromEnvOptions): Promise<WorkerHealthcheck | undefined> {
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
  return new RunningHealthcheck(port, state, heartbeat, runtime, host);
}

class RunningHealthcheck implements WorkerHealthcheck {
  private stopping: Promise<void> | undefined;

  constructor(
    readonly port: number,
    private readonly state: HealthState,
    private readonly heartbeat: Heartbeat,
    private readonly runtime: RuntimeRecorder | undefined,
    private readonly host: HealthThreadHost,
  ) {}

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
    try {
      await this.host.close();
    } finally {
      this.heartbeat.stop();
      this.runtime?.stop();
    }
  }
}

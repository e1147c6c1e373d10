// The options of the healthcheck, their defaults, and how they are resolved
// over the environment: the one place for each.
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import {
  checkNumber,
  HEALTH_TIMING_DEFAULTS,
  HEALTHCHECK_DEFAULTS,
  HEALTHCHECK_ENV,
  HealthcheckConfigError,
  readHealthcheckConfig,
  resolveHealthTiming,
  validateBindAddress,
  validatePortOption,
  workerGaugeNaming,
  type HealthTiming,
  type MetricNameForm,
  type WorkerMetricNames,
} from '@worker-health/core';
import { labelSetText } from '../shared/prometheus-text.js';
import { checkMaxConnections, SERVER_LIMITS } from '../shared/server-limits.js';

/** Options of `startWorkerHealthcheck`. Explicit options win over the environment. */
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
   * A `HealthcheckMetricReader` registered on the application's `MeterProvider`:
   * its metrics are served on `/metrics` too. Default: none.
   */
  metricReader?: MetricReader;
  /** Where the `HATCHET_CLIENT_WORKER_HEALTHCHECK_*` variables are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Main-thread heartbeat period in milliseconds, 1 to 60000; a stall is seen within threshold + this. Default `100`. */
  heartbeatIntervalMs?: number;
  /** Seconds the status may stay STARTING before the first `setListenerHealthy`. Default `10`. */
  startupGracePeriodSeconds?: number;
  /**
   * How long a scrape waits for the main thread to collect and write the
   * `metricReader`'s metrics, in milliseconds, 1 to 10000 (Prometheus's default
   * scrape timeout); when it is late, the newest collection that completed is
   * served and `worker_health_main_thread_metrics_age_seconds` says how old it
   * is. Default `500`. Raise it for very large pages (a million series take
   * about a second to collect), so that each scrape waits for its own. (The
   * runtime metrics need no waiting: the main thread records them into shared
   * memory every second.)
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
  metricNameForm?: MetricNameForm;
  /**
   * Told of health-thread failures (a crash, a failed restart, an error while
   * building `/metrics`, a `metricReader` that cannot collect). The thread is
   * restarted; these are never thrown into the host, and a handler that throws
   * is contained (both errors become process warnings). Default: `process.emitWarning`.
   */
  onError?: (error: Error) => void;
}

/**
 * The default of every option that has one (`workerName` is required;
 * `metricReader`, `env` and `onError` default to none, `process.env` and
 * `process.emitWarning`). Where an environment variable exists, it comes
 * between the option and this default.
 */
export const WORKER_HEALTHCHECK_DEFAULTS = {
  port: HEALTHCHECK_DEFAULTS.port,
  bindAddress: HEALTHCHECK_DEFAULTS.bindAddress,
  eventLoopBlockThresholdSeconds: HEALTHCHECK_DEFAULTS.eventLoopBlockThresholdSeconds,
  heartbeatIntervalMs: HEALTH_TIMING_DEFAULTS.heartbeatIntervalMs,
  startupGracePeriodSeconds: HEALTH_TIMING_DEFAULTS.startupGracePeriodSeconds,
  metricsTimeoutMs: 500,
  defaultMetrics: true,
  gcMetrics: false,
  maxConnections: SERVER_LIMITS.maxConnections,
  metricNameForm: 'suffix',
} as const satisfies { [K in keyof WorkerHealthcheckOptions]?: WorkerHealthcheckOptions[K] };

// Every option, listed by the type: a new option that is not added here fails to compile.
const KNOWN_OPTIONS = Object.keys({
  workerName: true,
  port: true,
  bindAddress: true,
  eventLoopBlockThresholdSeconds: true,
  metricReader: true,
  env: true,
  heartbeatIntervalMs: true,
  startupGracePeriodSeconds: true,
  metricsTimeoutMs: true,
  defaultMetrics: true,
  gcMetrics: true,
  maxConnections: true,
  metricNameForm: true,
  onError: true,
} satisfies Record<keyof WorkerHealthcheckOptions, true>);

/** Every option, resolved over the environment and checked: what a start needs. */
export interface HealthcheckSettings extends HealthTiming {
  /** `HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED` (only `startWorkerHealthcheckFromEnv` heeds it). */
  enabled: boolean;
  workerName: string;
  metricNameForm: MetricNameForm;
  /** The two gauges as served: family names and the label set of their one series (`''` or `{worker="…"}`). */
  gauges: { names: WorkerMetricNames; labels: string };
  port: number;
  bindAddress: string;
  metricsTimeoutMs: number;
  maxConnections: number;
  defaultMetrics: boolean;
  gcMetrics: boolean;
  metricReader: MetricReader | undefined;
  onError: (error: Error) => void;
}

/**
 * The one place where options meet the environment. An option wins over its
 * variable, and a variable that an option overrides is not read, so a stale
 * one cannot fail the start. Throws {@link HealthcheckConfigError} for the
 * first value that cannot work.
 */
export function resolveSettings(options: WorkerHealthcheckOptions): HealthcheckSettings {
  if (typeof options !== 'object' || options === null) {
    throw new HealthcheckConfigError('options', options, 'an object with at least `workerName`');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      throw new HealthcheckConfigError(
        key,
        (options as unknown as Record<string, unknown>)[key],
        `no such option; did you mean \`${nearest(key, KNOWN_OPTIONS)}\`?`,
      );
    }
  }
  const metricNameForm = options.metricNameForm ?? WORKER_HEALTHCHECK_DEFAULTS.metricNameForm;
  const naming = workerGaugeNaming(options.workerName, metricNameForm);
  const env = { ...(options.env ?? process.env) };
  if (options.port !== undefined) delete env[HEALTHCHECK_ENV.port];
  if (options.bindAddress !== undefined) delete env[HEALTHCHECK_ENV.bindAddress];
  if (options.eventLoopBlockThresholdSeconds !== undefined) delete env[HEALTHCHECK_ENV.eventLoopBlockThresholdSeconds];
  const fromEnv = readHealthcheckConfig(env);
  const thresholdFromEnv =
    options.eventLoopBlockThresholdSeconds === undefined && env[HEALTHCHECK_ENV.eventLoopBlockThresholdSeconds] !== undefined;
  const timing = resolveHealthTiming(
    {
      eventLoopBlockThresholdSeconds: options.eventLoopBlockThresholdSeconds ?? fromEnv.eventLoopBlockThresholdSeconds,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      startupGracePeriodSeconds: options.startupGracePeriodSeconds,
    },
    thresholdFromEnv ? HEALTHCHECK_ENV.eventLoopBlockThresholdSeconds : 'eventLoopBlockThresholdSeconds',
  );
  return {
    ...timing,
    enabled: fromEnv.enabled,
    workerName: options.workerName,
    metricNameForm,
    gauges: { names: naming.names, labels: labelSetText(naming.labels) },
    port: options.port !== undefined ? validatePortOption(options.port) : fromEnv.port,
    bindAddress: options.bindAddress !== undefined ? validateBindAddress(options.bindAddress) : fromEnv.bindAddress,
    metricsTimeoutMs: checkNumber(
      'metricsTimeoutMs',
      options.metricsTimeoutMs ?? WORKER_HEALTHCHECK_DEFAULTS.metricsTimeoutMs,
      'a number of milliseconds from 1 to 10000',
      { min: 1, max: 10_000 },
    ),
    maxConnections: checkMaxConnections(options.maxConnections ?? WORKER_HEALTHCHECK_DEFAULTS.maxConnections),
    defaultMetrics: checkBoolean('defaultMetrics', options.defaultMetrics ?? WORKER_HEALTHCHECK_DEFAULTS.defaultMetrics),
    gcMetrics: checkBoolean('gcMetrics', options.gcMetrics ?? WORKER_HEALTHCHECK_DEFAULTS.gcMetrics),
    metricReader: checkMetricReader(options.metricReader),
    onError: contained(checkOnError(options.onError)),
  };
}

function checkBoolean(setting: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw new HealthcheckConfigError(setting, value, 'true or false');
}

function checkOnError(onError: unknown): ((error: Error) => void) | undefined {
  if (onError === undefined || typeof onError === 'function') return onError as ((error: Error) => void) | undefined;
  throw new HealthcheckConfigError('onError', onError, 'a function taking an Error');
}

function checkMetricReader(reader: unknown): MetricReader | undefined {
  if (reader === undefined) return undefined;
  const candidate = reader as Partial<Record<'collect' | 'setMetricProducer' | 'getMeter', unknown>>;
  if (
    typeof reader === 'object' &&
    reader !== null &&
    typeof candidate.collect === 'function' &&
    typeof candidate.setMetricProducer === 'function'
  ) {
    return reader as MetricReader;
  }
  const given = typeof candidate?.getMeter === 'function' ? 'a MeterProvider' : undefined;
  throw new HealthcheckConfigError(
    'metricReader',
    given ?? reader,
    'a MetricReader registered on your MeterProvider: `const reader = new HealthcheckMetricReader()`, ' +
      '`new MeterProvider({ readers: [reader] })`, then `metricReader: reader`',
  );
}

/** `onError` that never throws into the host: a failing handler is reported as a process warning. */
function contained(onError: ((error: Error) => void) | undefined): (error: Error) => void {
  const warn = (error: Error) => process.emitWarning(error.message, { code: (error as { code?: string }).code });
  if (!onError) return warn;
  return (error) => {
    try {
      onError(error);
    } catch (handlerError) {
      warn(error);
      warn(new Error(`worker healthcheck: the onError handler threw: ${String(handlerError)}`));
    }
  };
}

/** The known name closest to `name` by edit distance. */
function nearest(name: string, known: readonly string[]): string {
  let best = known[0]!;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

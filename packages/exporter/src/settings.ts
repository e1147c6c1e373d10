import {
  HEALTHCHECK_ENV,
  HealthcheckConfigError,
  LABELLED_METRIC_NAMES,
  readHealthcheckConfig,
  resolveHealthTiming,
  validateBindAddress,
  validatePortOption,
  workerMetricNames,
  type HealthTiming,
  type WorkerMetricNames,
} from '@worker-health/core';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import { checkMaxConnections, SERVER_LIMITS } from './health-server.js';
import type { WorkerHealthcheckOptions } from './worker-healthcheck.js';

/** Every option, resolved over the environment and checked: what a start needs. */
export interface HealthcheckSettings extends HealthTiming {
  /** `HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED` (only `startWorkerHealthcheckFromEnv` heeds it). */
  enabled: boolean;
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

const DEFAULT_METRICS_TIMEOUT_MS = 500;

const KNOWN_OPTIONS = [
  'workerName',
  'port',
  'bindAddress',
  'eventLoopBlockThresholdSeconds',
  'metricReader',
  'env',
  'heartbeatIntervalMs',
  'startupGracePeriodSeconds',
  'metricsTimeoutMs',
  'defaultMetrics',
  'onError',
  'metricNameForm',
  'maxConnections',
  'gcMetrics',
] as const satisfies ReadonlyArray<keyof WorkerHealthcheckOptions>;

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
    if (!(KNOWN_OPTIONS as readonly string[]).includes(key)) {
      throw new HealthcheckConfigError(
        key,
        (options as unknown as Record<string, unknown>)[key],
        `no such option; did you mean \`${nearest(key, KNOWN_OPTIONS)}\`?`,
      );
    }
  }
  const metricNames = workerMetricNames(options.workerName);
  const form = options.metricNameForm ?? 'suffix';
  if (form !== 'suffix' && form !== 'label') {
    throw new HealthcheckConfigError(
      'metricNameForm',
      form,
      "'suffix' (hatchet_worker_listener_health_<worker>) or 'label' (hatchet_worker_listener_health{worker=\"<worker>\"})",
    );
  }
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
  const metricsTimeoutMs = options.metricsTimeoutMs ?? DEFAULT_METRICS_TIMEOUT_MS;
  if (typeof metricsTimeoutMs !== 'number' || !Number.isFinite(metricsTimeoutMs) || metricsTimeoutMs < 1 || metricsTimeoutMs > 1000) {
    throw new HealthcheckConfigError('metricsTimeoutMs', metricsTimeoutMs, 'a number of milliseconds from 1 to 1000');
  }
  if (options.defaultMetrics !== undefined && typeof options.defaultMetrics !== 'boolean') {
    throw new HealthcheckConfigError('defaultMetrics', options.defaultMetrics, 'true or false');
  }
  if (options.gcMetrics !== undefined && typeof options.gcMetrics !== 'boolean') {
    throw new HealthcheckConfigError('gcMetrics', options.gcMetrics, 'true or false');
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new HealthcheckConfigError('onError', options.onError, 'a function taking an Error');
  }
  return {
    ...timing,
    enabled: fromEnv.enabled,
    gauges:
      form === 'label'
        ? { names: { ...LABELLED_METRIC_NAMES }, labels: `{worker="${escapeLabelValue(options.workerName)}"}` }
        : { names: metricNames, labels: '' },
    port: options.port !== undefined ? validatePortOption(options.port) : fromEnv.port,
    bindAddress: options.bindAddress !== undefined ? validateBindAddress(options.bindAddress) : fromEnv.bindAddress,
    metricsTimeoutMs,
    maxConnections: checkMaxConnections(options.maxConnections ?? SERVER_LIMITS.maxConnections),
    defaultMetrics: options.defaultMetrics ?? true,
    gcMetrics: options.gcMetrics ?? false,
    metricReader: checkMetricReader(options.metricReader),
    onError: contained(options.onError),
  };
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

/** A label value in the Prometheus text format. */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
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

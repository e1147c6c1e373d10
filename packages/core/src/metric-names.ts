import { HealthcheckConfigError } from './errors.js';

/** HELP text of the listener-health gauge, as on the Hatchet Python SDK's page. */
export const LISTENER_HEALTH_HELP = 'Listener health (1 healthy, 0 unhealthy)';
/** HELP text of the event-loop-lag gauge, as on the Hatchet Python SDK's page. */
export const EVENT_LOOP_LAG_HELP = 'Event loop lag in seconds (listener process)';

/** The gauge names of the label form, where the worker is a `worker` label: `hatchet_worker_listener_health{worker="my_worker"}`. */
export const LABELLED_METRIC_NAMES = {
  listenerHealth: 'hatchet_worker_listener_health',
  eventLoopLag: 'hatchet_worker_event_loop_lag_seconds',
} as const;

const LISTENER_HEALTH_PREFIX = `${LABELLED_METRIC_NAMES.listenerHealth}_`;
const EVENT_LOOP_LAG_PREFIX = `${LABELLED_METRIC_NAMES.eventLoopLag}_`;

/** The two gauge names of one worker. */
export interface WorkerMetricNames {
  /** `hatchet_worker_listener_health_<name>`: 1 healthy, 0 unhealthy. */
  listenerHealth: string;
  /** `hatchet_worker_event_loop_lag_seconds_<name>`: the main thread's event-loop lag. */
  eventLoopLag: string;
}

/**
 * The gauge names of a worker, by the Python SDK's rule: every character
 * outside `[A-Za-z0-9_]` is dropped from the worker name, which is appended to
 * the prefix. `my-worker` gives `hatchet_worker_listener_health_myworker`.
 * Underscores stay as given (`my__worker`, `_worker`), as Python's `\W` keeps
 * them. Non-ASCII letters, which Python's `\W` keeps, are dropped: a Prometheus
 * metric name holds only `[a-zA-Z0-9_:]`.
 * Throws {@link HealthcheckConfigError} when nothing is left of the name.
 */
export function workerMetricNames(workerName: string): WorkerMetricNames {
  const suffix = typeof workerName === 'string' ? workerName.replace(/[^A-Za-z0-9_]/g, '') : '';
  if (suffix === '') {
    throw new HealthcheckConfigError(
      'workerName',
      workerName,
      'a name with at least one character from [A-Za-z0-9_] (other characters are dropped from metric names)',
    );
  }
  return {
    listenerHealth: LISTENER_HEALTH_PREFIX + suffix,
    eventLoopLag: EVENT_LOOP_LAG_PREFIX + suffix,
  };
}

/**
 * How a worker's metrics are named. `'suffix'`: the worker name ends the
 * metric name (`hatchet_worker_listener_health_my_worker`), as the Hatchet
 * page documents. `'label'`: one name for every worker, the worker in a
 * `worker` label (`hatchet_worker_listener_health{worker="my_worker"}`).
 */
export type MetricNameForm = 'suffix' | 'label';

/** The two gauges of one worker in one naming form: their names, and the labels of their one series. */
export interface WorkerGaugeNaming {
  names: WorkerMetricNames;
  /** `{}` in the suffix form, `{ worker: <name as given> }` in the label form. */
  labels: Readonly<Record<string, string>>;
}

/**
 * The names and labels of a worker's gauges in `form`. Throws
 * {@link HealthcheckConfigError} for a form other than `'suffix'` or
 * `'label'`, and for a worker name that sanitizes to nothing (in either
 * form: the name must also work in the other).
 */
export function workerGaugeNaming(workerName: string, form: MetricNameForm = 'suffix'): WorkerGaugeNaming {
  const suffixed = workerMetricNames(workerName);
  if (form === 'suffix') return { names: suffixed, labels: {} };
  if (form === 'label') return { names: { ...LABELLED_METRIC_NAMES }, labels: { worker: workerName } };
  throw new HealthcheckConfigError(
    'metricNameForm',
    form,
    "'suffix' (hatchet_worker_listener_health_<worker>) or 'label' (hatchet_worker_listener_health{worker=\"<worker>\"})",
  );
}

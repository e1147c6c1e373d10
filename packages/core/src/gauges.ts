import { createRequire } from 'node:module';
import type { BatchObservableCallback, DiagLogger, Meter, ObservableGauge } from '@opentelemetry/api';
import type { HealthState } from './health-state.js';
import { WorkerHealthError } from './errors.js';
import { EVENT_LOOP_LAG_HELP, LISTENER_HEALTH_HELP, workerGaugeNaming, type MetricNameForm } from './metric-names.js';

/**
 * OpenTelemetry's diagnostic logger, loaded when there is something to say:
 * a worker that never registers these gauges (the healthcheck's main thread)
 * never loads `@opentelemetry/api`, about 6 MiB of RSS for its modules.
 */
function diagnostics(): DiagLogger {
  return (createRequire(import.meta.url)('@opentelemetry/api') as typeof import('@opentelemetry/api')).diag;
}

/** Options of {@link registerWorkerHealthGauges}. */
export interface WorkerHealthGaugesOptions {
  /**
   * `'suffix'`: the worker name is part of the metric name (`hatchet_worker_listener_health_my_worker`), as the
   * Python SDK's page documents. `'label'`: one name for every worker, the worker in a `worker` attribute
   * (`hatchet_worker_listener_health{worker="my_worker"}`). Default `'suffix'`.
   */
  metricNameForm?: MetricNameForm;
}

/** The two gauges of one worker on one meter. */
export interface WorkerHealthGauges {
  /** The gauge names, e.g. `hatchet_worker_listener_health_my_worker`. */
  readonly names: { listenerHealth: string; eventLoopLag: string };
  /** Removes the gauges' callback: later collections report nothing for them. Idempotent. */
  shutdown(): void;
}

interface Registration {
  state: HealthState;
  gauges: WorkerHealthGauges;
}

// One registration per (meter, worker): a second call returns the first, so
// the series are never observed twice.
const registrations = new WeakMap<Meter, Map<string, Registration>>();

/**
 * Registers `hatchet_worker_listener_health_<worker>` (1 healthy, 0 not) and
 * `hatchet_worker_event_loop_lag_seconds_<worker>` on `meter`, read from
 * `state` at every collection. Works on any OpenTelemetry `Meter`, so the same
 * gauges go to Prometheus, OTLP or any other reader.
 *
 * Calling it again with the same meter, worker and state returns the same
 * registration; with another state for that worker it throws, since one series
 * cannot report two workers.
 */
export function registerWorkerHealthGauges(
  meter: Meter,
  state: HealthState,
  workerName: string,
  options: WorkerHealthGaugesOptions = {},
): WorkerHealthGauges {
  const { names, labels: attributes } = workerGaugeNaming(workerName, options.metricNameForm);
  let byWorker = registrations.get(meter);
  const key = `${names.listenerHealth}\u0000${attributes.worker ?? ''}`;
  const existing = byWorker?.get(key);
  if (existing) {
    if (existing.state !== state) {
      throw new WorkerHealthError(
        'ERR_WORKER_HEALTH_GAUGES_REGISTERED',
        `gauges for worker "${workerName}" are already registered on this meter with another HealthState; ` +
          'shut the first registration down before registering a new one',
      );
    }
    return existing.gauges;
  }

  const health: ObservableGauge = meter.createObservableGauge(names.listenerHealth, {
    description: LISTENER_HEALTH_HELP,
  });
  const lag: ObservableGauge = meter.createObservableGauge(names.eventLoopLag, {
    description: EVENT_LOOP_LAG_HELP,
  });
  const observables = [health, lag];
  const callback: BatchObservableCallback = (result) => {
    // Observable callbacks must never throw: a throw would drop the whole collection.
    try {
      const at = process.hrtime.bigint();
      result.observe(health, state.status(at) === 'HEALTHY' ? 1 : 0, attributes);
      result.observe(lag, state.lagSeconds(at), attributes);
    } catch (error) {
      diagnostics().error('worker-health: reading the health state failed', error);
    }
  };
  meter.addBatchObservableCallback(callback, observables);

  let active = true;
  const gauges: WorkerHealthGauges = {
    names,
    shutdown() {
      if (!active) return;
      active = false;
      meter.removeBatchObservableCallback(callback, observables);
      const current = registrations.get(meter);
      if (current?.get(key)?.gauges === gauges) current.delete(key);
    },
  };
  if (!byWorker) {
    byWorker = new Map();
    registrations.set(meter, byWorker);
  }
  byWorker.set(key, { state, gauges });
  return gauges;
}

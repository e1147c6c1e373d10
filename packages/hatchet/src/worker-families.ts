import type { ListenerReason } from './listener-health.js';
import type { MetricLabels as Labels, SharedMetricOptions, SharedMetrics } from '@worker-health/exporter';

/** Buckets of `hatchet_worker_task_start_delay_seconds`: the Prometheus clients' defaults, in seconds. */
export const TASK_START_DELAY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

type Kind = 'gauge' | 'counter' | 'histogram' | 'age';

interface FamilySpec {
  name: string;
  kind: Kind;
  help: string;
  labelNames: readonly string[];
  /** A histogram's bucket bounds, in the family's unit. */
  buckets?: readonly number[];
  /** The SDK's own health server serves this family: never a worker label. */
  sdk?: true;
}

/**
 * Every family the adapter serves. The first three are the SDK's own, exactly as its health
 * server (`v1/client/worker/health-server.js`) serves them; the rest are this package's.
 */
export const HATCHET_WORKER_FAMILIES = {
  status: { name: 'hatchet_worker_status', kind: 'gauge', help: 'Current status of the Hatchet worker', labelNames: [], sdk: true },
  slots: { name: 'hatchet_worker_slots', kind: 'gauge', help: 'Total slots available on the worker', labelNames: [], sdk: true },
  actions: { name: 'hatchet_worker_actions', kind: 'gauge', help: 'Number of registered actions on the worker', labelNames: [], sdk: true },
  slotsInUse: {
    name: 'hatchet_worker_slots_in_use',
    kind: 'gauge',
    help: 'Task runs the worker holds in the slot pool: received on the listen stream, not yet completed, failed or cancelled',
    labelNames: ['slot_type'],
  },
  slotsFree: {
    name: 'hatchet_worker_slots_free',
    kind: 'gauge',
    help: "Slots of the pool not in use: the pool's size in the worker's slot config minus slots in use, at least 0",
    labelNames: ['slot_type'],
  },
  tasksReceived: {
    name: 'hatchet_worker_tasks_received_total',
    kind: 'counter',
    help: 'Task runs assigned to the worker on the listen stream',
    labelNames: [],
  },
  tasksStarted: {
    name: 'hatchet_worker_tasks_started_total',
    kind: 'counter',
    help: 'Task runs the worker reported STARTED to the engine',
    labelNames: [],
  },
  tasksCompleted: {
    name: 'hatchet_worker_tasks_completed_total',
    kind: 'counter',
    help: 'Task runs the worker reported COMPLETED to the engine',
    labelNames: [],
  },
  tasksFailed: {
    name: 'hatchet_worker_tasks_failed_total',
    kind: 'counter',
    help: 'Task runs the worker reported FAILED to the engine',
    labelNames: [],
  },
  taskStartDelay: {
    name: 'hatchet_worker_task_start_delay_seconds',
    kind: 'histogram',
    help: 'Seconds from a task run received on the listen stream to its STARTED report',
    labelNames: [],
    buckets: TASK_START_DELAY_BUCKETS,
  },
  streamConnections: {
    name: 'hatchet_worker_listen_stream_connections_total',
    kind: 'counter',
    help: 'Listen streams the worker opened to the engine: the first and each reconnect attempt',
    labelNames: [],
  },
  streamEnds: {
    name: 'hatchet_worker_listen_stream_ends_total',
    kind: 'counter',
    help: 'Listen streams that ended or failed',
    labelNames: [],
  },
  heartbeatsSucceeded: {
    name: 'hatchet_worker_heartbeats_succeeded_total',
    kind: 'counter',
    help: 'Heartbeats the engine answered',
    labelNames: [],
  },
  heartbeatsFailed: {
    name: 'hatchet_worker_heartbeats_failed_total',
    kind: 'counter',
    help: 'Heartbeats that failed, by gRPC status name',
    labelNames: ['code'],
  },
  heartbeatAge: {
    name: 'hatchet_worker_heartbeat_age_seconds',
    kind: 'age',
    help: 'Seconds since the last heartbeat the engine answered',
    labelNames: [],
  },
  listenerReason: {
    name: 'hatchet_worker_listener_reason',
    kind: 'gauge',
    help: 'Why the listener is or is not healthy: 1 for the current reason, 0 for the others',
    labelNames: ['reason'],
  },
} as const satisfies Record<string, FamilySpec>;

type Specs = typeof HATCHET_WORKER_FAMILIES;
type Writer<K extends Kind> = K extends 'gauge'
  ? { set(value: number, labels?: Labels): void }
  : K extends 'counter'
    ? { add(value: number, labels?: Labels): void }
    : K extends 'histogram'
      ? { observe(value: number, labels?: Labels): void }
      : { reset(labels?: Labels): void };

/** One writer per family; labels given are the family's own (`slot_type`, `code`, `reason`): the worker label is added. */
export type WorkerFamilies = { readonly [K in keyof Specs]: Writer<Specs[K]['kind']> };

/** How the worker is named in the families: what `healthcheck.metricNameForm` and `workerName` say. */
export interface WorkerNaming {
  metricNameForm: 'suffix' | 'label';
  workerName: string;
}

/**
 * Creates the families in the healthcheck's shared metrics. In the label form every family of
 * this package also carries `worker="<workerName>"`; in the suffix form none does (the worker
 * name is in the two Python-SDK gauges' names only). The SDK's three never carry it.
 */
export function createWorkerFamilies(shared: SharedMetrics, naming: WorkerNaming): WorkerFamilies {
  const worker: Labels = naming.metricNameForm === 'label' ? { worker: naming.workerName } : {};
  const families: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(HATCHET_WORKER_FAMILIES) as Array<[string, FamilySpec]>) {
    const base = spec.sdk ? {} : worker;
    const options: SharedMetricOptions = { name: spec.name, help: spec.help, labelNames: [...Object.keys(base), ...spec.labelNames] };
    const withBase = (labels: Labels = {}): Labels => ({ ...base, ...labels });
    if (spec.kind === 'gauge') {
      const family = shared.gauge(options);
      families[key] = { set: (value: number, labels?: Labels) => family.set(value, withBase(labels)) };
    } else if (spec.kind === 'counter') {
      const family = shared.counter(options);
      families[key] = { add: (value: number, labels?: Labels) => family.add(value, withBase(labels)) };
    } else if (spec.kind === 'histogram') {
      const family = shared.histogram({ ...options, buckets: spec.buckets ?? [] });
      families[key] = { observe: (value: number, labels?: Labels) => family.observe(value, withBase(labels)) };
    } else {
      const family = shared.age(options);
      families[key] = { reset: (labels?: Labels) => family.reset(withBase(labels)) };
    }
  }
  return families as WorkerFamilies;
}

/** Writes the reason gauge: 1 for `current`, 0 for every other reason. */
export function writeReason(families: WorkerFamilies, reasons: readonly ListenerReason[], current: ListenerReason): void {
  for (const reason of reasons) families.listenerReason.set(reason === current ? 1 : 0, { reason });
}

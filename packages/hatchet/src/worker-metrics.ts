import { HatchetHookError } from './errors.js';
import type { HeartbeatOutcome } from './heartbeat-tally.js';
import { LISTENER_REASONS, type ListenerReason } from './listener-health.js';
import { writeReason, type WorkerFamilies } from './worker-families.js';

/** The SDK's names of its slot pools (`SlotType` of `v1/slot-types`, the same in 1.21 to 1.33). */
const DEFAULT_POOL = 'default';
const DURABLE_POOL = 'durable';
/** How often the families read from the SDK's worker are refreshed besides at each event, in milliseconds. */
export const WORKER_METRICS_REFRESH_MS = 1_000;

interface Run {
  pool: string;
  receivedAt: number;
  /** Seen among the SDK's running contexts at a refresh. */
  seen: boolean;
  /** Refreshes that did not find it there before it was ever seen. */
  misses: number;
}

/** What the families read from `worker._internal`, each checked once; a missing one is undefined. */
interface Sources {
  status?: () => unknown;
  availableSlots?: () => unknown;
  actions?: () => unknown;
  slotConfig?: () => Record<string, unknown>;
  contexts?: () => Record<string, unknown>;
  durableActions?: { has(actionId: string): boolean };
}

/**
 * The adapter's bookkeeping of the worker families: counts what the hooks see,
 * reads the rest from the SDK's worker (`worker._internal`) at each event and
 * every {@link WORKER_METRICS_REFRESH_MS}, and writes it all to `families`
 * (shared memory, so a blocked main thread leaves them as of the block's start).
 */
export class WorkerMetrics {
  private readonly runs = new Map<string, Run>();
  private readonly sources: Sources;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly families: WorkerFamilies,
    internal: Record<string, unknown>,
    sdkVersion: string,
    warn: (warning: Error) => void,
  ) {
    this.sources = findSources(internal, sdkVersion, warn);
  }

  /** Makes the counters' series appear at 0 and starts the periodic refresh. */
  start(): void {
    const f = this.families;
    for (const counter of [f.tasksReceived, f.tasksStarted, f.tasksCompleted, f.tasksFailed, f.streamConnections, f.streamEnds]) {
      counter.add(0);
    }
    f.heartbeatsSucceeded.add(0);
    this.refresh();
    this.timer = setInterval(() => this.refresh(), WORKER_METRICS_REFRESH_MS);
    this.timer.unref();
  }

  /** A START_STEP_RUN action for run `id` of `actionId` arrived on the stream. */
  taskReceived(id: string, actionId: unknown): void {
    if (this.closed) return;
    this.families.tasksReceived.add(1);
    if (!this.runs.has(id)) {
      const durable = typeof actionId === 'string' && this.sources.durableActions?.has(actionId) === true;
      this.runs.set(id, { pool: durable ? DURABLE_POOL : DEFAULT_POOL, receivedAt: performance.now(), seen: false, misses: 0 });
    }
    this.refresh();
  }

  /** The SDK reported run `id` STARTED; `awaited`: its first start after it was received on the stream. */
  taskStarted(id: string, awaited: boolean): void {
    if (this.closed) return;
    this.families.tasksStarted.add(1);
    const run = this.runs.get(id);
    if (awaited && run) this.families.taskStartDelay.observe((performance.now() - run.receivedAt) / 1000);
    this.refresh();
  }

  /** The SDK reported run `id` COMPLETED (`ok`) or FAILED. */
  taskEnded(id: string, ok: boolean): void {
    if (this.closed) return;
    (ok ? this.families.tasksCompleted : this.families.tasksFailed).add(1);
    this.runs.delete(id);
    this.refresh();
  }

  streamOpened(): void {
    if (this.closed) return;
    this.families.streamConnections.add(1);
    this.refresh();
  }

  streamEnded(): void {
    if (this.closed) return;
    this.families.streamEnds.add(1);
    this.refresh();
  }

  heartbeat(outcome: HeartbeatOutcome): void {
    if (this.closed) return;
    if (outcome.ok) {
      this.families.heartbeatsSucceeded.add(1);
      this.families.heartbeatAge.reset();
    } else {
      this.families.heartbeatsFailed.add(1, { code: outcome.code });
    }
  }

  reason(reason: ListenerReason): void {
    if (this.closed) return;
    writeReason(this.families, LISTENER_REASONS, reason);
  }

  /** Stops the refresh; the families keep their last values. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.refresh();
    this.closed = true;
    this.runs.clear();
  }

  /** Refreshes once the current microtasks (the SDK's own bookkeeping after an await) have run. */
  readonly refreshSoon = (): void => {
    setImmediate(() => this.refresh());
  };

  /** Writes what is read from the SDK's worker: its three families and the slot pools. */
  refresh(): void {
    if (this.closed) return;
    const { status, availableSlots, actions, slotConfig } = this.sources;
    const f = this.families;
    if (status) f.status.set(status() === 'HEALTHY' ? 1 : 0);
    if (availableSlots) writeNumber(availableSlots(), (value) => f.slots.set(value));
    if (actions) {
      const list = actions();
      if (Array.isArray(list)) f.actions.set(list.length);
    }
    this.reconcile();
    if (!slotConfig) return;
    const inUse = new Map<string, number>();
    for (const run of this.runs.values()) inUse.set(run.pool, (inUse.get(run.pool) ?? 0) + 1);
    for (const [pool, size] of Object.entries(slotConfig())) {
      if (typeof size !== 'number' || !Number.isFinite(size)) continue;
      const used = inUse.get(pool) ?? 0;
      inUse.delete(pool);
      f.slotsInUse.set(used, { slot_type: pool });
      f.slotsFree.set(Math.max(0, size - used), { slot_type: pool });
    }
    // A run in a pool the slot config does not name: in use, with no size to subtract it from.
    for (const [pool, used] of inUse) f.slotsInUse.set(used, { slot_type: pool });
  }

  /**
   * Drops runs the SDK no longer holds: a cancelled run (no report is sent for it) once the SDK
   * has cleaned it up, and a run the SDK dropped before running it (an unknown action) after two
   * refreshes that did not find it.
   */
  private reconcile(): void {
    if (!this.sources.contexts) return;
    const held = new Set<unknown>();
    for (const context of Object.values(this.sources.contexts())) {
      held.add((context as { action?: { taskRunExternalId?: unknown } } | null)?.action?.taskRunExternalId);
    }
    for (const [id, run] of this.runs) {
      if (held.has(id)) run.seen = true;
      else if (run.seen || ++run.misses > 1) this.runs.delete(id);
    }
  }
}

function writeNumber(value: unknown, write: (value: number) => void): void {
  if (typeof value === 'number' && Number.isFinite(value)) write(value);
}

/** Finds what the families read on the SDK's worker; warns once for each that is missing (that family is not served). */
function findSources(internal: Record<string, unknown>, sdkVersion: string, warn: (warning: Error) => void): Sources {
  const sources: Sources = {};
  const missing = (path: string, expected: string) =>
    warn(new HatchetHookError(sdkVersion, `worker._internal.${path}`, expected, 'metrics'));
  const method = (name: string) => {
    const fn = internal[name];
    return typeof fn === 'function' ? () => (fn as () => unknown).call(internal) : undefined;
  };
  const object = (name: string) =>
    typeof internal[name] === 'object' && internal[name] !== null ? () => internal[name] as Record<string, unknown> : undefined;

  if (typeof internal.status === 'string') sources.status = () => internal.status;
  else missing('status', "the worker's status string (hatchet_worker_status)");
  sources.availableSlots = method('getAvailableSlots');
  if (!sources.availableSlots) missing('getAvailableSlots', 'a method giving the free slots (hatchet_worker_slots)');
  sources.actions = method('getRegisteredActions');
  if (!sources.actions) missing('getRegisteredActions', 'a method listing the registered actions (hatchet_worker_actions)');
  sources.slotConfig = object('slotConfig');
  if (!sources.slotConfig) missing('slotConfig', 'the slot pools and their sizes (hatchet_worker_slots_in_use, _free)');
  sources.contexts = object('contexts');
  if (!sources.contexts) missing('contexts', 'the running task contexts (cancelled runs leave hatchet_worker_slots_in_use)');
  const durable = internal.durable_action_set as { has?: unknown } | undefined;
  if (typeof durable?.has === 'function') sources.durableActions = durable as Sources['durableActions'];
  else missing('durable_action_set', "the durable actions (a run's slot pool)");
  return sources;
}

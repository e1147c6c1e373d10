import { checkNumber } from '@worker-health/core';
import { HealthcheckConfigError, type WorkerHealthcheck } from '@worker-health/exporter';
import { HatchetHookError, HatchetWatchError } from './errors.js';
import { HEARTBEAT_SENDING, HEARTBEAT_SENT, HeartbeatTally } from './heartbeat-tally.js';
import { ListenerHealth } from './listener-health.js';
import { findHookPoints, hookMethod, type HatchetClientLike, type HatchetWorkerLike, type Hooked } from './sdk-objects.js';
import { untestedVersionWarning } from './sdk-version.js';
import { createWorkerFamilies, type WorkerFamilies } from './worker-families.js';
import { WorkerMetrics } from './worker-metrics.js';
import { HATCHET_HEALTH_WINDOWS } from './windows.js';
/** Options of {@link watchHatchetWorker}. */
export interface WatchHatchetWorkerOptions {
  /** The client the worker was made with (`HatchetClient.init()`). Required. */
  hatchet: HatchetClientLike;
  /** The worker from `hatchet.worker()`, not yet started. Required. */
  worker: HatchetWorkerLike;
  /**
   * Seconds a task received on the stream may wait for the SDK's STARTED report before the
   * listener is UNHEALTHY. Default: the healthcheck's event-loop threshold
   * (`healthcheck.eventLoopBlockThresholdSeconds`: the option, else
   * `HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS`, else `5`).
   */
  taskStartThresholdSeconds?: number;
  /**
   * Told, once each: of an SDK version outside the tested range (`SdkVersionUntestedWarning`);
   * of the SDK's own health server taken out of the way (`SdkHealthServerDisabledWarning`); of a
   * hook that could not be placed on an object the SDK makes at run time (a `HatchetHookError`:
   * the listener is UNHEALTHY then); of something a metric family reads that the SDK's worker
   * lacks (a `HatchetHookError`: that family is not served). Default: `process.emitWarning`.
   */
  onWarning?: (warning: Error) => void;
}

// Enum values of the SDK's generated dispatcher protocol (the same in 1.21 and 1.33).
const ACTION_START_STEP_RUN = 0;
const ACTION_CANCEL_STEP_RUN = 1;
const EVENT_STARTED = 1;
const EVENT_COMPLETED = 2;
const EVENT_FAILED = 3;

const watched = new WeakSet<object>();
const watchedHealthchecks = new WeakSet<object>();
// Families are made once per healthcheck (a family name is taken for good); a later watch reuses them.
const familiesOf = new WeakMap<object, WorkerFamilies>();

/** The SDK's health server warning: it was taken out so that it does not fight over the port. */
export class SdkHealthServerDisabledWarning extends Error {
  readonly code = 'WORKER_HEALTH_HATCHET_SDK_HEALTH_SERVER_DISABLED';

  constructor(port: number) {
    super(
      `watchHatchetWorker: the Hatchet SDK's own health server (healthcheck.enabled, port ${port}) is not started, ` +
        'because @worker-health serves /health on that port; to silence this, pass ' +
        '`HatchetClient.init({ healthcheck: { enabled: false, port: 8001 } })`',
    );
    this.name = 'SdkHealthServerDisabledWarning';
  }
}

/**
 * Drives `healthcheck.setListenerHealthy` from a Hatchet TypeScript SDK worker:
 * STARTING until the listen stream is open and a heartbeat sent on it has
 * succeeded; then HEALTHY while the stream stays open, the last heartbeat
 * success is within {@link HATCHET_HEALTH_WINDOWS.heartbeatWindowMs} and no
 * received task waits for its start past the threshold; UNHEALTHY at once when
 * the stream errors or ends and from the moment the worker starts stopping.
 * Serves the worker's families on the healthcheck's `/metrics`: the SDK's own
 * `hatchet_worker_status`, `_slots` and `_actions`, and the slot, task, stream,
 * heartbeat and reason families (`HATCHET_WORKER_FAMILIES`).
 *
 * Call it after `hatchet.worker()` and before `worker.start()`. It hooks the
 * given instances only (never the SDK's prototypes), and throws
 * {@link HatchetHookError} when a hook point is missing. An SDK version outside
 * the tested range gets one `SdkVersionUntestedWarning`. Returns a function
 * that stops watching and puts the hooks back.
 */
export function watchHatchetWorker(healthcheck: WorkerHealthcheck, options: WatchHatchetWorkerOptions): () => void {
  const handle = healthcheck as Partial<WorkerHealthcheck> | null | undefined;
  if (
    typeof handle?.setListenerHealthy !== 'function' ||
    typeof handle.sharedMetrics !== 'object' ||
    handle.sharedMetrics === null ||
    typeof handle.workerName !== 'string' ||
    (handle.metricNameForm !== 'suffix' && handle.metricNameForm !== 'label')
  ) {
    throw new HealthcheckConfigError(
      'healthcheck',
      healthcheck,
      'the handle from startWorkerHealthcheck() or startWorkerHealthcheckFromEnv()',
    );
  }
  if (typeof options !== 'object' || options === null) {
    throw new HealthcheckConfigError('options', options, 'an object with `hatchet` and `worker`');
  }
  const taskStartSeconds = checkNumber(
    'taskStartThresholdSeconds',
    options.taskStartThresholdSeconds ?? healthcheck.eventLoopBlockThresholdSeconds,
    'a positive number of seconds',
    { above: 0 },
  );
  if (options.onWarning !== undefined && typeof options.onWarning !== 'function') {
    throw new HealthcheckConfigError('onWarning', options.onWarning, 'a function taking an Error');
  }
  const points = findHookPoints(options.hatchet, options.worker);
  const { internal, dispatcher, grpcClient, sdkVersion } = points;
  if (internal.listener !== undefined) {
    throw new HatchetWatchError('ERR_WORKER_HEALTH_HATCHET_STARTED', 'the worker has already started; call it before worker.start()');
  }
  if (watched.has(internal)) {
    throw new HatchetWatchError('ERR_WORKER_HEALTH_HATCHET_WATCHED', 'this worker is already watched; call the function it returned first');
  }
  if (watchedHealthchecks.has(healthcheck)) {
    throw new HatchetWatchError(
      'ERR_WORKER_HEALTH_HATCHET_HEALTHCHECK_WATCHED',
      'this healthcheck already watches a worker (it has one listener status); call the function it returned first, or start one healthcheck per worker',
    );
  }
  const warn =
    options.onWarning ?? ((warning: Error) => process.emitWarning(warning.message, { code: (warning as { code?: string }).code }));
  const families = familiesOf.get(healthcheck) ?? createWorkerFamilies(healthcheck.sharedMetrics, healthcheck);
  familiesOf.set(healthcheck, families);

  const versionWarning = untestedVersionWarning(sdkVersion);
  if (versionWarning) warn(versionWarning);
  const metrics = new WorkerMetrics(families, internal, sdkVersion, warn);
  const health = new ListenerHealth(
    healthcheck,
    { heartbeatWindowMs: HATCHET_HEALTH_WINDOWS.heartbeatWindowMs, taskStartWindowMs: taskStartSeconds * 1000 },
    (reason) => metrics.reason(reason),
  );
  const tally = new HeartbeatTally((outcome) => metrics.heartbeat(outcome));
  const hooks: Hooked[] = [];
  const threads: Array<{ off(event: 'message', listener: (message: unknown) => void): unknown }> = [];
  const onHeartbeatMessage = (message: unknown) => {
    const { type, message: text } = (message ?? {}) as { type?: unknown; message?: unknown };
    if (typeof text !== 'string') return;
    if (text === HEARTBEAT_SENDING) health.heartbeatSending();
    else if (HEARTBEAT_SENT.test(text)) health.heartbeatSucceeded();
    tally.message(type, text);
  };
  const broken = (error: HatchetHookError) => {
    health.hookBroken();
    warn(error);
  };

  const sdkServerRemoved = takeOutSdkHealthServer(internal, healthcheck.port);
  if (sdkServerRemoved) warn(new SdkHealthServerDisabledWarning(healthcheck.port));

  const watchStream = (stream: unknown): unknown => {
    if (!isAsyncIterable(stream)) return stream;
    return {
      [Symbol.asyncIterator]() {
        const inner = stream[Symbol.asyncIterator]();
        let number: number | undefined;
        let ended = false;
        const end = () => {
          if (number === undefined || ended) return;
          ended = true;
          health.streamClosed(number);
          metrics.streamEnded();
        };
        return {
          async next() {
            if (number === undefined) {
              number = health.streamOpened();
              metrics.streamOpened();
            }
            try {
              const result = await inner.next();
              if (result.done) end();
              else received(result.value);
              return result;
            } catch (error) {
              end();
              throw error;
            }
          },
          async return(value?: unknown) {
            end();
            return inner.return ? inner.return(value) : { done: true as const, value };
          },
          async throw(error?: unknown) {
            end();
            if (inner.throw) return inner.throw(error);
            throw error;
          },
        };
      },
    };
  };
  const received = (action: unknown) => {
    const { actionType, taskRunExternalId, actionId } = (action ?? {}) as {
      actionType?: unknown;
      taskRunExternalId?: unknown;
      actionId?: unknown;
    };
    if (typeof taskRunExternalId !== 'string') return;
    if (actionType === ACTION_START_STEP_RUN) {
      health.taskReceived(taskRunExternalId);
      metrics.taskReceived(taskRunExternalId, actionId);
    } else if (actionType === ACTION_CANCEL_STEP_RUN) {
      // A cancelled task stops waiting for its start; it did not start.
      health.taskCancelled(taskRunExternalId);
    }
  };
  /** Takes a STARTED/COMPLETED/FAILED report; returns whether it ends the run. */
  const stepEvent = (event: unknown): boolean => {
    const { eventType, taskRunExternalId } = (event ?? {}) as { eventType?: unknown; taskRunExternalId?: unknown };
    if (typeof taskRunExternalId !== 'string') return false;
    if (eventType === EVENT_STARTED) {
      const awaited = health.isPending(taskRunExternalId);
      health.taskStarted(taskRunExternalId);
      metrics.taskStarted(taskRunExternalId, awaited);
    } else if (eventType === EVENT_COMPLETED || eventType === EVENT_FAILED) {
      health.taskStarted(taskRunExternalId);
      metrics.taskEnded(taskRunExternalId, eventType === EVENT_COMPLETED);
      return true;
    }
    return false;
  };

  for (const name of ['listenV2', 'listen']) {
    if (typeof grpcClient[name] !== 'function') continue;
    hooks.push(
      hookMethod(
        grpcClient,
        name,
        (original) =>
          function (this: unknown, ...args: unknown[]) {
            return watchStream(original.apply(this, args));
          },
      ),
    );
  }
  hooks.push(
    hookMethod(
      dispatcher,
      'getActionListener',
      (original) =>
        async function (this: unknown, ...args: unknown[]) {
          const listener = await original.apply(this, args);
          const heartbeat = (listener as { heartbeat?: unknown } | null)?.heartbeat;
          if (typeof (heartbeat as { start?: unknown } | null)?.start !== 'function') {
            broken(new HatchetHookError(sdkVersion, 'listener.heartbeat.start', 'the heartbeat controller of the ActionListener'));
            return listener;
          }
          const controller = heartbeat as Record<string, unknown>;
          hooks.push(
            hookMethod(
              controller,
              'start',
              (start) =>
                async function (this: unknown, ...startArgs: unknown[]) {
                  const result = await start.apply(this, startArgs);
                  const thread = controller.heartbeatWorker as { on?: unknown; off?: unknown } | undefined;
                  if (typeof thread?.on !== 'function' || typeof thread.off !== 'function') {
                    broken(new HatchetHookError(sdkVersion, 'listener.heartbeat.heartbeatWorker', 'the heartbeat worker thread'));
                  } else if (!threads.includes(thread as (typeof threads)[number])) {
                    (thread as NodeJS.EventEmitter).on('message', onHeartbeatMessage);
                    threads.push(thread as (typeof threads)[number]);
                  }
                  return result;
                },
            ),
          );
          return listener;
        },
    ),
  );
  hooks.push(
    hookMethod(
      dispatcher,
      'sendStepActionEvent',
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          const ended = stepEvent(args[0]);
          const result = original.apply(this, args);
          // The SDK frees the run's slot right after this report is sent: read its slots again then.
          if (ended) Promise.resolve(result).then(metrics.refreshSoon, metrics.refreshSoon);
          return result;
        },
    ),
  );
  hooks.push(
    hookMethod(
      internal,
      'exitGracefully',
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          health.stoppingNow();
          return original.apply(this, args);
        },
    ),
  );
  watched.add(internal);
  watchedHealthchecks.add(healthcheck);
  metrics.start();
  health.check();

  let active = true;
  return () => {
    if (!active) return;
    active = false;
    health.close();
    metrics.close();
    for (const hook of hooks.reverse()) hook.restore();
    for (const thread of threads) thread.off('message', onHeartbeatMessage);
    if (sdkServerRemoved && internal.healthServer === undefined && internal.listener === undefined) {
      internal.healthServer = sdkServerRemoved;
    }
    watched.delete(internal);
    watchedHealthchecks.delete(healthcheck);
  };
}

/** Removes the SDK's health server from the worker when it would bind the healthcheck's port; returns it. */
function takeOutSdkHealthServer(internal: Record<string, unknown>, port: number): object | undefined {
  const server = internal.healthServer;
  if (typeof server !== 'object' || server === null) return undefined;
  if (internal.healthPort !== port) return undefined;
  internal.healthServer = undefined;
  return server;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
}

import { Worker } from 'node:worker_threads';
import type { HealthThreadData, MainMessage, ThreadMessage } from '../shared/messages.js';
import type { AppMetricsCollector } from './app-metrics-collector.js';
import type { StallReport } from '../shared/stall-report.js';
import { HealthcheckListenError, HealthThreadError, MetricReaderError, StallReportError } from './errors.js';
import { threadExecOptions } from './preload-flags.js';
import type { SharedMetricsRegistry } from './shared-metrics.js';

// The bundled thread (dist/health-thread.js), through the package's "imports"
// map: the same file from the build and from the sources under test, since a
// thread runs no preloads and so cannot load TypeScript.
const THREAD_URL = new URL(import.meta.resolve('#health-thread'));

/** How the host reacts to a health thread that dies. */
export const RESTART_POLICY = {
  /** Restarts allowed within {@link RESTART_POLICY.windowMs}; past them the host gives up and reports it. */
  maxRestarts: 5,
  windowMs: 60_000,
  /** First delay before a restart, doubled for each further one in the window. */
  firstDelayMs: 100,
  /** How long in-flight answers may take to finish at shutdown. */
  closeGraceMs: 1_000,
  /** How long a closing thread may take to exit before it is terminated. */
  exitTimeoutMs: 2_000,
} as const;

/**
 * The health thread's V8 heap limits. The thread keeps a few kilobytes of its
 * own per page and per connection (the application's pages are external
 * memory, outside its heap), so V8's defaults, sized for an application,
 * mostly hold garbage: a young generation of 2 MiB instead of up to 16 keeps
 * the thread's resident memory near a bare thread's (BENCHMARKS.md, "Cost"),
 * and 64 MiB of old generation leave room for 256 connections and pages of a
 * million series (tested). Past it the thread, not the process, runs out of
 * memory, and is restarted.
 */
export const THREAD_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 64 } as const;

/** Options of {@link HealthThreadHost}. */
export interface HealthThreadHostOptions {
  /** What the thread starts with, but the shared families (taken from `sharedMetrics` at each start). */
  data: Omit<HealthThreadData, 'sharedSeries'>;
  /** The shared families: described to each thread at its start, and to the running one as they come. */
  sharedMetrics: SharedMetricsRegistry;
  /** Collects the application's metrics when the thread asks; none when the application passed no reader. */
  app: AppMetricsCollector | undefined;
  /** Told of every failure of the thread; never throws (see options.ts). */
  onError: (error: Error) => void;
  /** Told of each reported block once it has ended. Default: none. */
  onStall?: ((report: StallReport) => void) | undefined;
  /** Starts a thread. Default: the bundled `health-thread.js`, with no command-line flags and no preloads. Tests pass a fixture thread. */
  spawnThread?: (data: HealthThreadData) => Worker;
}

/**
 * Starts the bundled health thread (or, for tests and the bench, another file that loads it), with its
 * heap limits and none of the process's preloads.
 */
export function spawnHealthThread(data: HealthThreadData, url: URL = THREAD_URL): Worker {
  return new Worker(url, { workerData: data, resourceLimits: { ...THREAD_RESOURCE_LIMITS }, ...threadExecOptions() });
}

/**
 * Main-thread side of the health thread: starts it, collects the
 * application's metrics when it asks, restarts it on the same port if it
 * dies, and closes it. A failing thread never throws into the host process:
 * it is reported through `onError`.
 */
export class HealthThreadHost {
  private data: Omit<HealthThreadData, 'sharedSeries'>;
  private readonly sharedMetrics: SharedMetricsRegistry;
  /** The thread last spawned, running or starting: where new shared families are described (a starting thread queues them). */
  private newest: Worker | undefined;
  private readonly app: AppMetricsCollector | undefined;
  private readonly onError: (error: Error) => void;
  private readonly onStall: ((report: StallReport) => void) | undefined;
  private readonly spawnThread: (data: HealthThreadData) => Worker;
  private worker: Worker | undefined;
  private closing = false;
  private restarts: number[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private respawning: Promise<void> | undefined;

  constructor(options: HealthThreadHostOptions) {
    this.data = options.data;
    this.sharedMetrics = options.sharedMetrics;
    this.app = options.app;
    this.onError = options.onError;
    this.onStall = options.onStall;
    this.spawnThread = options.spawnThread ?? spawnHealthThread;
  }

  /** Starts the thread; resolves with the bound port once it listens. */
  async start(): Promise<number> {
    this.sharedMetrics.post = (message) => this.newest?.postMessage(message satisfies MainMessage);
    const { worker, port } = await this.spawn();
    // Restarts reuse the port actually bound, so port 0 keeps its first pick.
    this.data = { ...this.data, port };
    this.adopt(worker);
    return port;
  }

  /** Closes the server (the port is free when this resolves) and ends the thread. Idempotent. */
  async close(): Promise<void> {
    this.closing = true;
    this.app?.close();
    this.sharedMetrics.post = undefined;
    clearTimeout(this.restartTimer);
    await this.respawning;
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const message: MainMessage = { type: 'close', graceMs: RESTART_POLICY.closeGraceMs };
    worker.postMessage(message);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, RESTART_POLICY.exitTimeoutMs, 'timeout')));
    if ((await Promise.race([exited, timeout])) === 'timeout') await worker.terminate();
    clearTimeout(timer);
  }

  private spawn(): Promise<{ worker: Worker; port: number }> {
    return new Promise((resolve, reject) => {
      let worker: Worker;
      try {
        worker = this.spawnThread({ ...this.data, sharedSeries: this.sharedMetrics.state() });
        this.newest = worker;
      } catch (error) {
        const denied = (error as { code?: unknown } | null)?.code === 'ERR_ACCESS_DENIED';
        const message = denied
          ? "cannot start the health thread: Node's permission model is on and does not allow worker threads; " +
            'start node with --allow-worker as well (the server runs in a worker thread, so that /health answers while the event loop is blocked)'
          : 'cannot start the health thread';
        reject(new HealthThreadError(message, { cause: error }));
        return;
      }
      worker.unref(); // the healthcheck never keeps the process alive by itself
      const settle = (fn: () => void) => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        fn();
      };
      const onMessage = (message: ThreadMessage) => {
        if (message.type === 'listening') settle(() => resolve({ worker, port: message.port }));
        else if (message.type === 'crashed') {
          settle(() => {
            void worker.terminate();
            reject(new HealthThreadError('the health thread failed while starting', { cause: crashCause(message) }));
          });
        } else if (message.type === 'listen-error') {
          settle(() => {
            void worker.terminate();
            reject(new HealthcheckListenError(this.data.port, this.data.bindAddress, message.code, message.message));
          });
        }
      };
      const onError = (error: Error) =>
        settle(() => {
          void worker.terminate();
          reject(new HealthThreadError('the health thread failed while starting', { cause: error }));
        });
      const onExit = (code: number) =>
        settle(() => reject(new HealthThreadError(`the health thread exited with code ${code} while starting`)));
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
  }

  private adopt(worker: Worker): void {
    this.worker = worker;
    worker.on('message', (message: ThreadMessage) => {
      if (message.type === 'collect-app-metrics') void this.answerCollect(worker, message.id);
      else if (message.type === 'stall') this.stalled(message.report);
      else if (message.type === 'stall-unavailable') {
        this.onError(new StallReportError(`stall reports carry no stack in this process: ${message.reason}`));
      } else if (message.type === 'crashed') {
        this.onError(new HealthThreadError('the health thread crashed', { cause: crashCause(message) }));
        // Ended from here, not in the thread: see the thread's uncaughtException handler. The exit restarts it.
        void worker.terminate();
      } else if (message.type === 'closed') {
        worker.postMessage({ type: 'exit' } satisfies MainMessage);
      } else if (message.type === 'error') {
        const error = new HealthThreadError(`serving a request failed: ${message.message}`);
        if (message.stack) error.stack = `${error.name}: ${error.message}\n  in the health thread: ${message.stack}`;
        this.onError(error);
      }
    });
    worker.on('error', (error) => this.onError(new HealthThreadError('the health thread crashed', { cause: error })));
    worker.on('exit', (code) => {
      if (this.worker !== worker || this.closing) return;
      this.worker = undefined;
      this.scheduleRestart(`the health thread exited with code ${code}`);
    });
  }

  private async answerCollect(worker: Worker, id: number): Promise<void> {
    // On failure (null) the thread keeps serving the last collection rather than nothing.
    const snapshot = (await this.app?.collect()) ?? null;
    if (this.worker !== worker) return;
    const message: MainMessage = { type: 'app-metrics', id, snapshot };
    try {
      worker.postMessage(
        message,
        snapshot?.chunks.map((chunk) => chunk.buffer as ArrayBuffer),
      );
    } catch (error) {
      this.onError(new MetricReaderError('the application metrics could not be passed to the health thread', { cause: error }));
      worker.postMessage({ type: 'app-metrics', id, snapshot: null } satisfies MainMessage);
    }
  }

  private stalled(report: StallReport): void {
    if (!this.onStall) return;
    try {
      this.onStall(report);
    } catch (error) {
      this.onError(new StallReportError('the onStall handler threw', { cause: error }));
    }
  }

  private scheduleRestart(reason: string): void {
    const now = Date.now();
    this.restarts = this.restarts.filter((at) => now - at < RESTART_POLICY.windowMs);
    if (this.restarts.length >= RESTART_POLICY.maxRestarts) {
      this.onError(
        new HealthThreadError(
          `${reason}; not restarting: ${RESTART_POLICY.maxRestarts} restarts in the last ` +
            `${RESTART_POLICY.windowMs / 1000} s. /health and /metrics are down until the healthcheck is started again`,
        ),
      );
      return;
    }
    const delay = RESTART_POLICY.firstDelayMs * 2 ** this.restarts.length;
    this.restarts.push(now);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.closing) return;
      this.respawning = this.spawn()
        .then(
          async ({ worker }) => {
            if (this.closing) await worker.terminate();
            else this.adopt(worker);
          },
          (error: Error) => {
            this.onError(error);
            if (!this.closing) this.scheduleRestart('restarting the health thread failed');
          },
        )
        .finally(() => (this.respawning = undefined));
    }, delay);
    this.restartTimer.unref();
  }
}

/** The thread's uncaught exception, as an Error on this side (structured clone keeps no prototypes). */
function crashCause(message: { message: string; stack: string | undefined }): Error {
  const cause = new Error(message.message);
  if (message.stack) cause.stack = message.stack;
  return cause;
}

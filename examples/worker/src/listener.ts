import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import type { Task } from './tasks.js';

export interface TaskListenerOptions {
  /** Dispatcher base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  workerName: string;
  /** Told `true` when the connection is up, `false` when it drops. */
  onHealth: (healthy: boolean) => void;
  /** Runs one task; tasks run one at a time, in order. */
  onTask: (task: Task) => Promise<string>;
  log?: (line: string) => void;
  /** Drop the connection after this long without a byte from the dispatcher (it pings every 2 s). Default 6 000. */
  silenceLimitMs?: number;
}

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;
// The dispatcher pings every 2 s: three missed pings mean the peer is gone.
const DEFAULT_SILENCE_LIMIT_MS = 6_000;

/**
 * The worker's listener: a long-lived connection to the dispatcher that
 * receives tasks, reconnecting with exponential backoff when it drops.
 */
export class TaskListener {
  private req: ClientRequest | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopping = false;
  private work: Promise<void> = Promise.resolve();
  private readonly log: (line: string) => void;

  constructor(private readonly options: TaskListenerOptions) {
    this.log = options.log ?? ((line) => console.log(line));
  }

  start(): void {
    this.connect();
  }

  /** Stops listening; resolves when the task in flight (if any) has finished and reported. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.reconnectTimer);
    this.req?.destroy();
    await this.work;
  }

  private connect(): void {
    const url = new URL(`/listen?worker=${encodeURIComponent(this.options.workerName)}`, this.options.url);
    let up = false;
    const down = (why: string) => {
      if (this.req !== req) return;
      this.req = undefined;
      if (up && !this.stopping) this.log(`worker: lost the dispatcher (${why})`);
      this.options.onHealth(false);
      if (!this.stopping) this.scheduleReconnect();
    };
    const req = request(url, { agent: false }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        res.resume();
        down(`status ${res.statusCode}`);
        return;
      }
      up = true;
      this.failures = 0;
      this.log('worker: connected to the dispatcher');
      this.options.onHealth(true);
      const watchdog = this.watchSilence(res, () => req.destroy(new Error('dispatcher went silent')));
      createInterface({ input: res })
        .on('line', (line) => this.onLine(line))
        .on('error', () => down('connection error'));
      res.on('close', () => {
        clearInterval(watchdog);
        down('connection closed');
      });
      res.on('error', () => down('connection error'));
    });
    req.on('error', (error) => down(error.message));
    this.req = req;
    req.end();
  }

  /**
   * Fires `onSilent` when the dispatcher has sent nothing (not even a ping) for
   * the silence limit. A socket timeout would misfire after this worker's own
   * event loop was blocked (timers run before the buffered pings are read), so
   * a stall of our own restarts the count instead.
   */
  private watchSilence(res: IncomingMessage, onSilent: () => void): NodeJS.Timeout {
    const tickMs = 1_000;
    let lastData = Date.now();
    let lastTick = lastData;
    res.on('data', () => (lastData = Date.now()));
    return setInterval(() => {
      const now = Date.now();
      if (now - lastTick > 2 * tickMs) lastData = now;
      lastTick = now;
      if (now - lastData > (this.options.silenceLimitMs ?? DEFAULT_SILENCE_LIMIT_MS)) onSilent();
    }, tickMs);
  }

  private scheduleReconnect(): void {
    const delay = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** this.failures) * (0.8 + Math.random() * 0.4);
    this.failures++;
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private onLine(line: string): void {
    let message: { type?: string; task?: Task };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      this.log(`worker: ignoring a malformed line from the dispatcher`);
      return;
    }
    if (message.type !== 'task' || !message.task) return;
    const task = message.task;
    this.work = this.work.then(async () => {
      this.log(`worker: task ${task.id} (${task.kind}, ${task.seconds} s) started`);
      let result: string;
      try {
        result = await this.options.onTask(task);
      } catch (error) {
        result = `failed: ${(error as Error).message}`;
      }
      this.log(`worker: task ${task.id} ${result}`);
      await this.report(task, result);
    });
  }

  private report(task: Task, result: string): Promise<void> {
    return new Promise((resolve) => {
      const req = request(new URL('/results', this.options.url), { method: 'POST', agent: false, timeout: 5_000 }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', () => {
        this.log(`worker: could not report task ${task.id}: the dispatcher is unreachable`);
        resolve();
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.end(JSON.stringify({ worker: this.options.workerName, id: task.id, result }));
    });
  }
}

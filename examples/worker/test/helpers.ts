import { Child, freePort, get } from '@worker-health/testing';

export const MAIN = new URL('../dist/main.js', import.meta.url);
export const DISPATCHER = new URL('../dist/dispatcher-main.js', import.meta.url);
/** examples/hatchet-worker, built first by turbo (a devDependency of this package). */
export const HATCHET_MAIN = new URL('../node_modules/example-hatchet-worker/dist/main.js', import.meta.url);

export const healthIs = (port: number, status: number) => () =>
  get(port, '/health', 'GET', 1_000).then((r) => (r.status === status ? r : undefined));

/** A child process serving on `port`, the one it said it bound. */
export type Serving = Child & { port: number };

const serving = (child: Child, port: unknown): Serving => {
  if (typeof port !== 'number') throw new Error(`${child.name} said no port (${JSON.stringify(port)}); stderr: ${child.stderr}`);
  return Object.assign(child, { port });
};

/**
 * Child processes of one test file, killed at its end. A server that can bind port 0 does, and says
 * the port it got; the healthcheck, whose environment variable takes no 0, gets a `freePort()`.
 */
export class Processes {
  readonly all: Child[] = [];

  /** The dispatcher on 127.0.0.1:port (0: one it picks). */
  async dispatcher(port = 0): Promise<Serving> {
    const dispatcher = this.spawn(DISPATCHER, { EXAMPLE_DISPATCHER_PORT: String(port) });
    return serving(dispatcher, (await dispatcher.next('dispatcherPort')).dispatcherPort);
  }

  /** The example worker with its own dispatcher left out, healthcheck on 127.0.0.1:healthPort (default: a `freePort()`), threshold 1 s. */
  async worker(dispatcherPort: number, healthPort?: number, env: NodeJS.ProcessEnv = {}): Promise<Serving> {
    healthPort ??= await freePort();
    const worker = this.spawn(MAIN, {
      HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED: 'true',
      EXAMPLE_START_DISPATCHER: 'false',
      EXAMPLE_DISPATCHER_PORT: String(dispatcherPort),
      HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT: String(healthPort),
      HATCHET_CLIENT_WORKER_HEALTHCHECK_BIND_ADDRESS: '127.0.0.1',
      HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS: '1',
      ...env,
    });
    return serving(worker, (await worker.next('ready')).healthcheckPort);
  }

  /**
   * The Hatchet example worker with its fake engine (loopback), healthcheck on 127.0.0.1:healthPort,
   * threshold 1 s, its task and fake-engine routes on 127.0.0.1:tasksPort (defaults: a `freePort()`, and
   * 0, a port it picks and says).
   */
  async hatchetWorker(healthPort?: number, tasksPort = 0, env: NodeJS.ProcessEnv = {}): Promise<Serving & { tasksPort: number }> {
    healthPort ??= await freePort();
    const worker = this.spawn(HATCHET_MAIN, {
      HATCHET_CLIENT_TOKEN: undefined,
      HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED: 'true',
      HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT: String(healthPort),
      HATCHET_CLIENT_WORKER_HEALTHCHECK_BIND_ADDRESS: '127.0.0.1',
      HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS: '1',
      EXAMPLE_TASKS_PORT: String(tasksPort),
      ...env,
    });
    const ready = await worker.next('ready', 30_000);
    return Object.assign(serving(worker, ready.healthcheckPort), { tasksPort: Number(ready.tasksPort) });
  }

  spawn(script: URL | string, env: NodeJS.ProcessEnv = {}, args: string[] = []): Child {
    const child = new Child(script, env, args);
    this.all.push(child);
    return child;
  }

  async killAll(): Promise<void> {
    for (const child of this.all) child.process.kill('SIGKILL');
    await Promise.all(this.all.map((child) => child.exited()));
  }
}

import { Child, get } from '@worker-health/testing';

export const MAIN = new URL('../dist/main.js', import.meta.url);
export const DISPATCHER = new URL('../dist/dispatcher-main.js', import.meta.url);
/** examples/hatchet-worker, built first by turbo (a devDependency of this package). */
export const HATCHET_MAIN = new URL('../node_modules/example-hatchet-worker/dist/main.js', import.meta.url);

export const healthIs = (port: number, status: number) => () =>
  get(port, '/health', 'GET', 1_000).then((r) => (r.status === status ? r : undefined));

/** Child processes of one test file, killed at its end. */
export class Processes {
  readonly all: Child[] = [];

  async dispatcher(port: number): Promise<Child> {
    const dispatcher = this.spawn(DISPATCHER, { EXAMPLE_DISPATCHER_PORT: String(port) });
    await dispatcher.next('dispatcherPort');
    return dispatcher;
  }

  /** The example worker with its own dispatcher left out, healthcheck on 127.0.0.1:healthPort, threshold 1 s. */
  async worker(dispatcherPort: number, healthPort: number, env: NodeJS.ProcessEnv = {}): Promise<Child> {
    const worker = this.spawn(MAIN, {
      HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED: 'true',
      EXAMPLE_START_DISPATCHER: 'false',
      EXAMPLE_DISPATCHER_PORT: String(dispatcherPort),
      HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT: String(healthPort),
      HATCHET_CLIENT_WORKER_HEALTHCHECK_BIND_ADDRESS: '127.0.0.1',
      HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS: '1',
      ...env,
    });
    await worker.next('ready');
    return worker;
  }

  /**
   * The Hatchet example worker with its fake engine (loopback), healthcheck on 127.0.0.1:healthPort,
   * threshold 1 s, its task and fake-engine routes on 127.0.0.1:tasksPort.
   */
  async hatchetWorker(healthPort: number, tasksPort: number, env: NodeJS.ProcessEnv = {}): Promise<Child> {
    const worker = this.spawn(HATCHET_MAIN, {
      HATCHET_CLIENT_TOKEN: undefined,
      HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED: 'true',
      HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT: String(healthPort),
      HATCHET_CLIENT_WORKER_HEALTHCHECK_BIND_ADDRESS: '127.0.0.1',
      HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS: '1',
      EXAMPLE_TASKS_PORT: String(tasksPort),
      ...env,
    });
    await worker.next('ready', 30_000);
    return worker;
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

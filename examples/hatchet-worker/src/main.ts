// A Hatchet worker with @worker-health/hatchet. With HATCHET_CLIENT_TOKEN set it
// connects to that engine; without it, it starts the fake engine of
// @worker-health/testing on loopback, which assigns a `simple` task every few seconds.
// Port 8080 (EXAMPLE_TASKS_PORT) takes tasks to run (`block`, `sleep`) and, with the fake
// engine, what the engine does to the worker's heartbeats and stream (src/routes.ts).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { HatchetClient } from '@hatchet-dev/typescript-sdk';
import { startWorkerHealthcheckFromEnv } from '@worker-health/exporter';
import { watchHatchetWorker } from '@worker-health/hatchet';
import { FakeHatchetEngine } from '@worker-health/testing/fake-hatchet-engine';
import { exampleRoutes } from './routes.js';
import { readHatchetExampleSettings, type HatchetExampleSettings } from './settings.js';

const env = process.env;
const log = (line: string) => console.log(`worker: ${line}`);
/** A setting the example or the healthcheck cannot take: said on one line, exit code 1. */
function cannotStart(error: unknown): never {
  console.error(`worker: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
let settings: HatchetExampleSettings;
try {
  settings = readHatchetExampleSettings();
} catch (error) {
  cannotStart(error);
}
const EVENT_NAMES: Record<number, string> = { 1: 'STARTED', 2: 'COMPLETED', 3: 'FAILED' };

let engine: FakeHatchetEngine | undefined;
if (!env.HATCHET_CLIENT_TOKEN) {
  engine = new FakeHatchetEngine('@hatchet-dev/typescript-sdk', import.meta.url);
  await engine.start();
  engine.onEvent = (event) => log(`fake engine: task run ${event.taskRunExternalId} ${EVENT_NAMES[event.eventType] ?? event.eventType}`);
  env.HATCHET_CLIENT_TOKEN = engine.token;
  env.HATCHET_CLIENT_TLS_STRATEGY = 'none';
}
// Started first, so /health says STARTING (then UNHEALTHY) while hatchet.worker() waits for the engine.
const healthcheck = await startWorkerHealthcheckFromEnv({
  workerName: settings.workerName,
  metricNameForm: settings.metricNameForm,
}).catch(cannotStart);
// The SDK's own health server stays off: /health, /livez, /readyz and /metrics come from the healthcheck.
// (The SDK's type asks for a port even when it is off; nothing opens it.)
const hatchet = HatchetClient.init({ log_level: 'INFO', healthcheck: { enabled: false, port: 8001 } });
const simple = hatchet.task({
  name: 'simple',
  fn: async (input: { message?: string }) => ({ transformed: (input.message ?? '').toLowerCase() }),
});
const block = hatchet.task({
  name: 'block',
  // CPU-bound on purpose: holds the event loop for the whole run, as the plain example's block task does.
  fn: (input: { seconds?: number }) => {
    const end = Date.now() + (input.seconds ?? 8) * 1000;
    while (Date.now() < end);
    return { blockedSeconds: input.seconds ?? 8 };
  },
});
const sleep = hatchet.task({
  name: 'sleep',
  // Holds a slot for the whole run and leaves the event loop free: slots in use without a block.
  fn: async (input: { seconds?: number }) => {
    await sleepFor((input.seconds ?? 8) * 1000);
    return { sleptSeconds: input.seconds ?? 8 };
  },
});
const worker = await hatchet.worker(settings.workerName, { workflows: [simple, block, sleep], slots: 5 });
if (healthcheck) watchHatchetWorker(healthcheck, { hatchet, worker });

const runs = { block, sleep };
const tasks = createServer(
  exampleRoutes({
    engine,
    queue: async (kind, seconds) =>
      engine ? engine.assign(kind, { seconds }) : (await runs[kind].runNoWait({ seconds })).getWorkflowRunId(),
  }),
);
await new Promise<void>((resolve) => tasks.listen(settings.tasksPort, '127.0.0.1', resolve));
tasks.unref();
const tasksPort = (tasks.address() as AddressInfo).port;

const lines = ['ready'];
if (healthcheck) {
  lines.push(`  health:   curl -i localhost:${healthcheck.port}/health`, `  metrics:  curl localhost:${healthcheck.port}/metrics`);
} else {
  lines.push('  healthcheck off: set HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED=true to serve /health and /metrics');
}
lines.push(
  `  engine:   ${engine ? `fake, gRPC 127.0.0.1:${engine.grpcPort}, a simple task every 5 s` : 'from HATCHET_CLIENT_TOKEN'}`,
  `  block the event loop for 8 s:  curl -X POST 'localhost:${tasksPort}/tasks?kind=block&seconds=8'`,
  `  hold a slot for 8 s:           curl -X POST 'localhost:${tasksPort}/tasks?kind=sleep&seconds=8'`,
  ...(engine
    ? [
        `  refuse heartbeats:             curl -X POST 'localhost:${tasksPort}/engine/heartbeats?answer=not-found'   (answer=ok to stop)`,
        `  break the listen stream:       curl -X POST 'localhost:${tasksPort}/engine/break-streams'`,
      ]
    : []),
  '  stop: Ctrl-C',
);
log(lines.join('\n'));
console.log(JSON.stringify({ ready: true, healthcheckPort: healthcheck?.port ?? null, tasksPort }));

const demo =
  engine &&
  setInterval(() => {
    const id = engine.assign('simple', { message: 'Hello' });
    log(`fake engine: assigned task run ${id} (simple)`);
  }, 5_000);
demo?.unref();

// On SIGTERM/SIGINT the SDK stops the worker itself: /health turns UNHEALTHY at once, start()
// resolves as the listen stream closes, running tasks finish, and the SDK exits the process.
// So nothing is shut down when start() resolves: the healthcheck keeps answering /livez, and the
// engine its unsubscribe and pause calls, while the tasks drain.
await worker.start();

// A Hatchet worker with @worker-health/hatchet. With HATCHET_CLIENT_TOKEN set it
// connects to that engine; without it, it starts the fake engine of
// @worker-health/testing on loopback, which assigns a `simple` task every few seconds.
// POST /tasks?kind=block&seconds=8 on port 8080 runs a task that blocks the event loop.
import { createServer } from 'node:http';
import { HatchetClient } from '@hatchet-dev/typescript-sdk';
import { startWorkerHealthcheckFromEnv } from '@worker-health/exporter';
import { watchHatchetWorker } from '@worker-health/hatchet';
import { FakeHatchetEngine } from '@worker-health/testing/fake-hatchet-engine';

const env = process.env;
const log = (line: string) => console.log(`worker: ${line}`);
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
const healthcheck = await startWorkerHealthcheckFromEnv({ workerName: 'my_worker' });
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
const worker = await hatchet.worker('my_worker', { workflows: [simple, block], slots: 5 });
if (healthcheck) watchHatchetWorker(healthcheck, { hatchet, worker });

const tasksPort = Number(env.EXAMPLE_TASKS_PORT ?? '8080');
const tasks = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const seconds = Number(url.searchParams.get('seconds') ?? '8');
  if (req.method !== 'POST' || url.pathname !== '/tasks' || url.searchParams.get('kind') !== 'block' || !(seconds > 0)) {
    res.writeHead(404).end('POST /tasks?kind=block&seconds=<positive number>\n');
    return;
  }
  const queued = engine
    ? Promise.resolve(engine.assign('block', { seconds }))
    : block.runNoWait({ seconds }).then((ref) => ref.getWorkflowRunId());
  queued.then(
    (id) => res.writeHead(202, { 'content-type': 'application/json' }).end(`${JSON.stringify({ queued: id, seconds })}\n`),
    (error: Error) => res.writeHead(502).end(`${error.message}\n`),
  );
});
await new Promise<void>((resolve) => tasks.listen(tasksPort, '127.0.0.1', resolve));
tasks.unref();

const lines = ['ready'];
if (healthcheck) {
  lines.push(`  health:   curl -i localhost:${healthcheck.port}/health`, `  metrics:  curl localhost:${healthcheck.port}/metrics`);
} else {
  lines.push('  healthcheck off: set HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED=true to serve /health and /metrics');
}
lines.push(
  `  engine:   ${engine ? `fake, gRPC 127.0.0.1:${engine.grpcPort}, a simple task every 5 s` : 'from HATCHET_CLIENT_TOKEN'}`,
  `  block the event loop for 8 s:  curl -X POST 'localhost:${tasksPort}/tasks?kind=block&seconds=8'`,
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

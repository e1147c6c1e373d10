// A Hatchet worker with @worker-health/hatchet. With HATCHET_CLIENT_TOKEN set it
// connects to that engine; without it, it starts the fake engine of this folder
// on loopback and has it assign a task every few seconds.
import { HatchetClient } from '@hatchet-dev/typescript-sdk';
import { startWorkerHealthcheckFromEnv } from '@worker-health/exporter';
import { watchHatchetWorker } from '@worker-health/hatchet';
import { FakeEngine } from './fake-engine.js';

const env = process.env;
const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

let engine: FakeEngine | undefined;
if (!env.HATCHET_CLIENT_TOKEN) {
  engine = new FakeEngine('@hatchet-dev/typescript-sdk');
  await engine.start();
  env.HATCHET_CLIENT_TOKEN = engine.token;
  env.HATCHET_CLIENT_TLS_STRATEGY = 'none';
}
// Started first, so /health says STARTING (then UNHEALTHY) while hatchet.worker() waits for the engine.
const healthcheck = await startWorkerHealthcheckFromEnv({ workerName: 'my_worker' });
const hatchet = HatchetClient.init({ log_level: engine ? 'WARN' : 'INFO' });
const simple = hatchet.task({
  name: 'simple',
  fn: async (input: { message?: string }) => ({ transformed: (input.message ?? '').toLowerCase() }),
});
const worker = await hatchet.worker('my_worker', { workflows: [simple], slots: 5 });
const unwatch = healthcheck && watchHatchetWorker(healthcheck, { hatchet, worker });
print({
  ready: true,
  healthPort: healthcheck?.port,
  engine: engine ? `fake, gRPC 127.0.0.1:${engine.grpcPort}` : 'from HATCHET_CLIENT_TOKEN',
  try: healthcheck ? `curl -i localhost:${healthcheck.port}/health` : 'set HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED=true',
});
const demo = engine && setInterval(() => engine.assign('simple', { message: 'Hello' }), 5_000);
demo?.unref();

// Resolves when the worker stops; the SDK's SIGTERM/SIGINT handling exits the process itself.
await worker.start();
unwatch?.();
await healthcheck?.shutdown();
await engine?.close();

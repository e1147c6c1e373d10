// The example worker: a listener connected to the local dispatcher, with the
// healthcheck on port 8001. `pnpm start` runs it together with a dispatcher.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { startWorkerHealthcheckFromEnv, type WorkerHealthcheck } from '@worker-health/exporter';
import { HEALTHCHECK_ENV } from '@worker-health/core';
import { TaskListener } from './listener.js';
import { readExampleSettings } from './settings.js';
import { runTask } from './tasks.js';

async function main(): Promise<void> {
  const settings = readExampleSettings();
  // On when HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED=true (`pnpm start` sets it); undefined otherwise.
  const healthcheck = await startWorkerHealthcheckFromEnv({ workerName: settings.workerName, metricNameForm: settings.metricNameForm });

  let dispatcher: ChildProcess | undefined;
  if (process.env.EXAMPLE_START_DISPATCHER !== 'false') {
    dispatcher = spawn(process.execPath, [new URL('./dispatcher-main.js', import.meta.url).pathname], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, EXAMPLE_DISPATCHER_PORT: String(settings.dispatcherPort), EXAMPLE_DISPATCHER_MANAGED: '1' },
    });
    await waitForLine(dispatcher);
  }

  const listener = new TaskListener({
    url: settings.dispatcherUrl,
    workerName: settings.workerName,
    silenceLimitMs: settings.silenceLimitMs,
    onHealth: (healthy) => healthcheck?.setListenerHealthy(healthy),
    onTask: runTask,
  });
  listener.start();
  printReady(settings.dispatcherUrl, healthcheck);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`worker: ${signal} received, shutting down`);
    healthcheck?.setListenerHealthy(false); // out of rotation first
    await listener.stop(); // the task in flight finishes and is reported
    await healthcheck?.shutdown();
    if (dispatcher && dispatcher.exitCode === null) {
      dispatcher.kill('SIGTERM');
      await once(dispatcher, 'exit');
    }
    console.log('worker: stopped');
    process.exitCode = 0;
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

function printReady(dispatcherUrl: string, healthcheck: WorkerHealthcheck | undefined): void {
  const lines = ['worker: ready'];
  if (healthcheck) {
    lines.push(`  health:   curl -i localhost:${healthcheck.port}/health`, `  metrics:  curl localhost:${healthcheck.port}/metrics`);
  } else {
    lines.push(`  healthcheck off: set ${HEALTHCHECK_ENV.enabled}=true to serve /health and /metrics`);
  }
  lines.push(
    `  block the event loop for 8 s:  curl -X POST '${dispatcherUrl}/tasks?kind=block&seconds=8'`,
    `  a quick task:                  curl -X POST '${dispatcherUrl}/tasks?kind=quick'`,
    '  stop: Ctrl-C',
  );
  console.log(lines.join('\n'));
  console.log(JSON.stringify({ ready: true, healthcheckPort: healthcheck?.port ?? null }));
}

function waitForLine(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8');
    child.stdout!.once('data', () => {
      child.stdout!.pipe(process.stdout);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`the dispatcher exited with code ${code} before it was ready`)));
  });
}

main().catch((error: Error) => {
  console.error(`worker: cannot start: ${error.message}`);
  process.exit(1);
});

// A CommonJS consumer written in TypeScript: its package.json has no
// "type": "module", so tsc compiles these imports to require() calls, which
// load the packages' ES modules through require(esm). As app/main.mjs: the
// application's own MeterProvider with a HealthcheckMetricReader, one JSON
// line when ready; SIGTERM shuts it down, after which the process must end by
// itself.
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { startWorkerHealthcheck, type WorkerHealthcheck } from '@worker-health/exporter';
import { HealthcheckMetricReader } from '@worker-health/exporter/metric-reader';

async function main(): Promise<void> {
  const metricReader = new HealthcheckMetricReader();
  const meterProvider = new MeterProvider({ readers: [metricReader] });
  meterProvider.getMeter('consumer-app').createCounter('consumer_tasks_completed', { description: 'Tasks this app completed' }).add(3);

  const healthcheck: WorkerHealthcheck = await startWorkerHealthcheck({
    workerName: 'consumer',
    port: 0,
    bindAddress: '127.0.0.1',
    metricReader,
  });
  healthcheck.setListenerHealthy(true);

  // Stands for the worker's own work, which is what keeps a worker process alive.
  const work = setInterval(() => {}, 60_000);
  process.once('SIGTERM', async () => {
    clearInterval(work);
    await healthcheck.shutdown();
    await meterProvider.shutdown();
    console.log(JSON.stringify({ stopped: true }));
  });
  console.log(JSON.stringify({ port: healthcheck.port }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

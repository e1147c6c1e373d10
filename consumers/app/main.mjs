// A consumer as the exporter README shows it: the application's own
// MeterProvider with a HealthcheckMetricReader, and the healthcheck started
// with that reader. Prints one JSON line when ready; SIGTERM shuts it down,
// after which the process must end by itself.
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { startWorkerHealthcheck } from '@worker-health/exporter';
import { HealthcheckMetricReader } from '@worker-health/exporter/metric-reader';

const metricReader = new HealthcheckMetricReader();
const meterProvider = new MeterProvider({ readers: [metricReader] });
meterProvider.getMeter('consumer-app').createCounter('consumer_tasks_completed', { description: 'Tasks this app completed' }).add(3);

const healthcheck = await startWorkerHealthcheck({ workerName: 'consumer', port: 0, bindAddress: '127.0.0.1', metricReader });
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

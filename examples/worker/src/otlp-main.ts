// The same worker, sending its two health gauges to an OpenTelemetry collector
// by OTLP/HTTP instead of being scraped: the core's gauges on the
// application's own MeterProvider. Honours the standard OTEL_EXPORTER_OTLP_*
// variables (endpoint, headers, timeout) and OTEL_METRIC_EXPORT_INTERVAL.
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { HealthState, Heartbeat, readHealthcheckConfig, registerWorkerHealthGauges } from '@worker-health/core';
import { TaskListener } from './listener.js';
import { readExampleSettings } from './settings.js';
import { runTask } from './tasks.js';

function exportIntervalMs(): number {
  const raw = process.env.OTEL_METRIC_EXPORT_INTERVAL ?? '60000';
  const ms = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(ms >= 1))
    throw new Error(`OTEL_METRIC_EXPORT_INTERVAL=${JSON.stringify(raw)} is not valid: expected a positive integer (milliseconds)`);
  return ms;
}

async function main(): Promise<void> {
  const settings = readExampleSettings();
  const config = readHealthcheckConfig();
  const state = HealthState.create({ eventLoopBlockThresholdSeconds: config.eventLoopBlockThresholdSeconds });
  const heartbeat = new Heartbeat(state);
  const interval = exportIntervalMs();
  const reader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter(),
    exportIntervalMillis: interval,
    exportTimeoutMillis: Math.min(interval, 30_000),
  });
  const provider = new MeterProvider({ readers: [reader] });
  const gauges = registerWorkerHealthGauges(provider.getMeter('example-worker'), state, settings.workerName, {
    metricNameForm: settings.metricNameForm,
  });
  heartbeat.start();

  const listener = new TaskListener({
    url: settings.dispatcherUrl,
    workerName: settings.workerName,
    silenceLimitMs: settings.silenceLimitMs,
    onHealth: (healthy) => state.setListenerHealthy(healthy),
    onTask: runTask,
  });
  listener.start();
  console.log(JSON.stringify({ ready: true, gauges: gauges.names }));

  const stop = async () => {
    state.markShuttingDown();
    await listener.stop();
    await provider.shutdown(); // exports once more: the collector sees the worker go unhealthy
    gauges.shutdown();
    heartbeat.stop();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: Error) => {
  console.error(`worker: cannot start: ${error.message}`);
  process.exit(1);
});

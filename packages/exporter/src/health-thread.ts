// Entry point of the health thread: its own event loop serves the probes and
// /metrics while the main thread may be blocked. It reads the main thread's
// health and runtime figures from shared memory and writes every line of
// /metrics itself; it asks the main thread only for the application's
// metrics, when the application passed a reader.
import { parentPort, workerData } from 'node:worker_threads';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { HealthState } from '@worker-health/core';
import type { AppMetricsSnapshot } from './app-metrics-collector.js';
import { AppMetricsRelay } from './app-metrics-relay.js';
import { createHealthServer } from './health-server.js';
import type { HealthThreadData, MainMessage, ThreadMessage } from './messages.js';
import { HealthcheckMetricReader } from './metric-reader.js';
import { MetricsPage } from './metrics-page.js';
import { processResource } from './resource.js';
import { RuntimeFiguresReader } from './runtime-figures.js';
import { RuntimeMetrics } from './runtime-metrics.js';

const data = workerData as HealthThreadData;
const port = parentPort!;
const post = (message: ThreadMessage) => port.postMessage(message);
const state = HealthState.fromShared(data.health);

// Process-wide facts, true from any thread even while the main one is blocked.
const resource = processResource();
const reader = new HealthcheckMetricReader();
const provider = new MeterProvider({ resource, readers: [reader] });
if (data.defaultMetrics) {
  const { HostMetrics } = await import('@opentelemetry/host-metrics');
  // Process groups only: the system.network group shells out (`ip route`) on every collection.
  new HostMetrics({ meterProvider: provider, metricGroups: ['process.cpu', 'process.memory'] }).start();
  const [major, minor, patch] = process.versions.node.split('.');
  provider
    .getMeter('@worker-health/exporter')
    .createObservableGauge('nodejs_version_info', { description: 'Node.js version info' })
    .addCallback((result) => result.observe(1, { version: process.version, major, minor, patch }));
}

const app = data.appMetrics
  ? new AppMetricsRelay<AppMetricsSnapshot>((id) => post({ type: 'collect-app-metrics', id }), data.appMetrics.timeoutMs)
  : undefined;
const page = new MetricsPage({
  state,
  gauges: data.gauges,
  reader,
  resource,
  runtime: data.defaultMetrics ? new RuntimeMetrics(new RuntimeFiguresReader(data.defaultMetrics.runtimeFigures)) : undefined,
  app,
});

const server = createHealthServer({
  state,
  maxConnections: data.maxConnections,
  metrics: () => page.text(),
  onError: (error) =>
    post({ type: 'error', message: error instanceof Error ? error.message : String(error), stack: (error as Error)?.stack }),
});

port.on('message', (message: MainMessage) => {
  switch (message.type) {
    case 'app-metrics':
      app?.receive(message.id, message.snapshot);
      break;
    case 'close': {
      // Stop accepting at once (frees the port), let in-flight answers finish, then cut the rest.
      const force = setTimeout(() => server.closeAllConnections(), message.graceMs);
      server.close(() => {
        clearTimeout(force);
        // Closing the port leaves the thread's loop empty: the thread exits, which the host awaits.
        void provider.shutdown().finally(() => port.close());
      });
      server.closeIdleConnections();
      break;
    }
  }
});

server.once('error', (error: NodeJS.ErrnoException) => {
  post({ type: 'listen-error', code: error.code, message: error.message });
});
server.listen(data.port, data.bindAddress, () => {
  const address = server.address();
  post({ type: 'listening', port: typeof address === 'object' && address ? address.port : data.port });
});

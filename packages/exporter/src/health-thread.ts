// Entry point of the health thread: its own event loop serves the probes and
// /metrics while the main thread may be blocked.
import { parentPort, workerData } from 'node:worker_threads';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { HealthState, registerWorkerHealthGauges } from '@worker-health/core';
import { createHealthServer } from './health-server.js';
import { MainMetricsRelay } from './main-metrics-relay.js';
import type { HealthThreadData, MainMessage, ThreadMessage } from './messages.js';
import { HealthcheckMetricReader } from './metric-reader.js';

const data = workerData as HealthThreadData;
const port = parentPort!;
const post = (message: ThreadMessage) => port.postMessage(message);
const state = HealthState.fromShared(data.shared);

// Facts that hold for the whole process or are read from the shared state:
// true even while the main thread is blocked.
const reader = new HealthcheckMetricReader();
const provider = new MeterProvider({ readers: [reader] });
const meter = provider.getMeter('@worker-health/exporter');
registerWorkerHealthGauges(meter, state, data.workerName);
if (data.defaultMetrics) {
  const { HostMetrics } = await import('@opentelemetry/host-metrics');
  // Process groups only: the system.network group shells out (`ip route`) on every collection.
  new HostMetrics({ meterProvider: provider, metricGroups: ['process.cpu', 'process.memory'] }).start();
  const [major, minor, patch] = process.versions.node.split('.');
  meter
    .createObservableGauge('nodejs_version_info', { description: 'Node.js version info' })
    .addCallback((result) => result.observe(1, { version: process.version, major, minor, patch }));
}

const relay = data.mainThreadMetrics ? new MainMetricsRelay((id) => post({ type: 'collect', id }), data.metricsTimeoutMs) : undefined;
let snapshotAgeSeconds: number | undefined;
if (relay) {
  meter
    .createObservableGauge('worker_health_main_thread_metrics_age_seconds', {
      description: 'Seconds since the main-thread metrics served were collected (the stall so far while it is blocked)',
    })
    .addCallback((result) => {
      if (snapshotAgeSeconds !== undefined) result.observe(snapshotAgeSeconds);
    });
}
const serializer = new PrometheusSerializer(undefined, false, undefined, relay !== undefined, true);

async function metricsText(): Promise<string> {
  const snapshot = await relay?.get();
  snapshotAgeSeconds = snapshot ? Number(process.hrtime.bigint() - snapshot.at) / 1e9 : undefined;
  // Collected after the wait, so the lag gauge is read at answer time.
  const own = await reader.collect();
  return serializer.serialize(own.resourceMetrics) + (snapshot?.text ?? '');
}

const server = createHealthServer({ state, metrics: metricsText });

port.on('message', (message: MainMessage) => {
  switch (message.type) {
    case 'metrics':
      relay?.receive(message.id, message.text);
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
    case 'test:crash':
      setImmediate(() => {
        throw new Error('health thread crash requested by a test');
      });
      break;
  }
});

server.once('error', (error: NodeJS.ErrnoException) => {
  post({ type: 'listen-error', code: error.code, message: error.message });
});
server.listen(data.port, data.bindAddress, () => {
  const address = server.address();
  post({ type: 'listening', port: typeof address === 'object' && address ? address.port : data.port });
});

// Entry point of the health thread: its own event loop serves the probes and
// /metrics while the main thread may be blocked. It reads the main thread's
// health and runtime figures from shared memory and writes every line of
// /metrics itself; it asks the main thread only for the application's
// metrics, when the application passed a reader.
import { parentPort, workerData } from 'node:worker_threads';
import { HealthState } from '@worker-health/core';
import type { AppMetricsSnapshot, HealthThreadData, MainMessage, ThreadMessage } from './shared/messages.js';
import { RuntimeFiguresReader } from './shared/runtime-figures.js';
import { AppMetricsRelay } from './thread/app-metrics-relay.js';
import { createHealthServer } from './thread/health-server.js';
import { MetricsPage } from './thread/metrics-page.js';
import { ProcessMetrics } from './thread/process-metrics.js';
import { processResourceAttributes } from './thread/resource.js';
import { RuntimeMetrics } from './thread/runtime-metrics.js';
import { SharedMetricsText } from './thread/shared-metrics-text.js';
import { StackCapture } from './thread/stack-capture.js';
import { StallWatchdog, STALL_LIMITS } from './thread/stall-watchdog.js';
import { StderrLines } from './thread/stderr-lines.js';

const data = workerData as HealthThreadData;
const port = parentPort!;
const post = (message: ThreadMessage) => port.postMessage(message);
const state = HealthState.fromShared(data.health);

const app = data.appMetrics
  ? new AppMetricsRelay<AppMetricsSnapshot>((id) => post({ type: 'collect-app-metrics', id }), data.appMetrics.timeoutMs)
  : undefined;
const shared = new SharedMetricsText(data.sharedSeries);
const stderr = new StderrLines();
const watchdog = new StallWatchdog({
  state,
  workerName: data.stall.workerName,
  labels: data.gauges.labels,
  reports: data.stall.reports,
  offBecause: data.stall.offBecause,
  capture: new StackCapture(STALL_LIMITS.nativeWaitMs),
  write: (line) => stderr.write(line),
  report: (report) => post({ type: 'stall', report }),
  unavailable: (reason) => post({ type: 'stall-unavailable', reason }),
});
watchdog.start();
const page = new MetricsPage({
  state,
  gauges: data.gauges,
  shared,
  watchdog,
  process: data.defaultMetrics ? new ProcessMetrics() : undefined,
  resourceAttributes: processResourceAttributes(),
  runtime: data.defaultMetrics ? new RuntimeMetrics(new RuntimeFiguresReader(data.defaultMetrics.runtimeFigures)) : undefined,
  app,
});

const server = createHealthServer({
  state,
  maxConnections: data.maxConnections,
  metrics: () => page.body(),
  onError: (error) =>
    post({ type: 'error', message: error instanceof Error ? error.message : String(error), stack: (error as Error)?.stack }),
});

port.on('message', (message: MainMessage) => {
  switch (message.type) {
    case 'app-metrics':
      app?.receive(message.id, message.snapshot);
      break;
    case 'shared-family':
      shared.addFamily(message.family);
      break;
    case 'shared-series':
      shared.addSeries(message.series);
      break;
    case 'close': {
      watchdog.close();
      // Stop accepting at once (frees the port), let in-flight answers finish, then cut the rest.
      const force = setTimeout(() => server.closeAllConnections(), message.graceMs);
      server.close(() => {
        clearTimeout(force);
        post({ type: 'closed' });
      });
      server.closeIdleConnections();
      break;
    }
    case 'exit':
      // Closing the port leaves the thread's loop empty: the thread exits, which the host awaits.
      port.close();
      break;
  }
});

// The thread never ends by itself while an inspector session to the main thread
// may still be settling. Node aborts the whole process (SIGABRT) when the main
// thread answers a session's disconnect while this thread's inspector is being
// torn down. The host answers `closed` and `crashed` from the main thread's
// JavaScript, which runs only after the main thread has dealt with every
// disconnect posted before them, so the thread is ended there: on `exit`, or
// by `terminate()` after a crash.
let crashed = false;
process.on('uncaughtException', (error) => {
  if (crashed) return;
  crashed = true;
  watchdog.close();
  server.close();
  server.closeAllConnections();
  post({ type: 'crashed', message: error instanceof Error ? error.message : String(error), stack: (error as Error)?.stack });
});

server.once('error', (error: NodeJS.ErrnoException) => {
  post({ type: 'listen-error', code: error.code, message: error.message });
});
server.listen(data.port, data.bindAddress, () => {
  const address = server.address();
  post({ type: 'listening', port: typeof address === 'object' && address ? address.port : data.port });
});

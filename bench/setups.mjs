// The set-ups a target process (target.mjs) can run, each started by `startSetup(name)`:
//   off          nothing: no healthcheck, no server
//   off-otel     no healthcheck, but the OpenTelemetry metrics SDK loaded and a MeterProvider in use
//   package      @worker-health/exporter (server in a worker thread), defaults
//   package-lean the same with defaultMetrics: false
//   package-gc   the same with gcMetrics: true (GC durations observed)
//   prom-client  the peer: node:http on the main thread + prom-client collectDefaultMetrics + the two gauges
//                (what the Hatchet TypeScript SDK runs)
//   bare-otel    @opentelemetry/exporter-prometheus on the main thread serving the same two gauges
//   floor        a worker thread with a node:http server, a static /health and a static /metrics of the two
//                gauges: the least our design can cost
// `series` > 0 registers that many counter series on the application's MeterProvider (for `package`,
// through a HealthcheckMetricReader passed as `metricReader`) or on prom-client's registry.
// `metricsTimeoutMs` is the package's option of that name. `exporterDir` (env BENCH_EXPORTER_DIR) loads
// the package from another checkout's build (packages/exporter of it), to measure an earlier version
// with the same harness.
import { createServer } from 'node:http';
import * as workerThreads from 'node:worker_threads';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export const SETUPS = ['off', 'off-otel', 'package', 'package-lean', 'package-gc', 'package-stats', 'prom-client', 'bare-otel', 'floor'];

/** The thread of the last `floor` or `package-stats` set-up, which answers {type: 'bench:heap'} with its heap statistics. */
let statsThread;

/** The V8 heap of the set-up's thread (see `statsThread`), or undefined when it has none. */
export async function threadHeap() {
  if (!statsThread) return undefined;
  const answer = new Promise((resolve) => {
    const onMessage = (message) => {
      if (message?.type !== 'bench:heap') return;
      statsThread.off('message', onMessage);
      resolve(message);
    };
    statsThread.on('message', onMessage);
  });
  statsThread.postMessage({ type: 'bench:heap' });
  return answer;
}

/** Stops the running set-up, where one can be stopped (`off`, `package`, `floor`): set by those set-ups. */
let stopRunning = async () => {};

/**
 * Stops the set-up started last, leaving the process as `off` left it as far as the set-up allows: the
 * package's `shutdown()`, the floor's thread ended. The side-by-side throughput (throughput.mjs) runs a
 * process through several set-ups in turn. Other set-ups cannot be undone (prom-client's default metrics
 * keep their observers): stopping one is an error.
 */
export async function stopSetup() {
  const stop = stopRunning;
  stopRunning = async () => {};
  await stop();
}

/** Starts `name`; resolves its port (0 when it serves nothing). */
export async function startSetup(name, { threshold = 1, series = 0, metricsTimeoutMs, exporterDir } = {}) {
  stopRunning = async () => {
    throw new Error(`set-up "${name}" cannot be stopped; accepted: off, package, package-lean, package-gc, floor`);
  };
  switch (name) {
    case 'off':
      stopRunning = async () => {};
      return 0;
    case 'off-otel':
      return offOtel();
    case 'package':
    case 'package-lean':
    case 'package-gc':
      return workerHealth({
        threshold,
        series,
        metricsTimeoutMs,
        exporterDir,
        defaultMetrics: name !== 'package-lean',
        gcMetrics: name === 'package-gc',
      });
    case 'package-stats':
      return workerHealthWithStats(threshold, exporterDir);
    case 'prom-client':
      return promClient(series);
    case 'bare-otel':
      return bareOtel(threshold, series);
    case 'floor':
      return floor();
    default:
      throw new Error(`unknown set-up "${name}"; accepted: ${SETUPS.join(', ')}`);
  }
}

/** A MeterProvider that keeps `series` series per instrument (the SDK keeps 2 000 unless told). */
function providerFor(MeterProvider, reader, series) {
  return new MeterProvider({
    readers: [reader],
    views: [{ instrumentName: '*', aggregationCardinalityLimit: Math.max(2_000, series + 1) }],
  });
}

function addSeries(meter, series) {
  if (series === 0) return;
  const counter = meter.createCounter('app_requests', { description: 'App requests' });
  for (let i = 0; i < series; i++) counter.add(1, { route: `/route/${i}` });
}

async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

/** The entry `subpath` of the exporter: the installed package's, or that of the build in `exporterDir`. */
async function exporterEntry(subpath, exporterDir) {
  if (!exporterDir) return import(subpath === '.' ? '@worker-health/exporter' : `@worker-health/exporter/${subpath}`);
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { pathToFileURL } = await import('node:url');
  const manifest = JSON.parse(readFileSync(join(exporterDir, 'package.json'), 'utf8'));
  return import(pathToFileURL(join(exporterDir, manifest.exports[subpath === '.' ? '.' : `./${subpath}`].default)).href);
}

async function workerHealth({ threshold, series, defaultMetrics, gcMetrics = false, metricsTimeoutMs, exporterDir }) {
  const { startWorkerHealthcheck } = await exporterEntry('.', exporterDir);
  let metricReader;
  if (series > 0) {
    const { MeterProvider } = await import('@opentelemetry/sdk-metrics');
    const { HealthcheckMetricReader } = await exporterEntry('metric-reader', exporterDir);
    metricReader = new HealthcheckMetricReader();
    addSeries(providerFor(MeterProvider, metricReader, series).getMeter('app'), series);
  }
  const healthcheck = await startWorkerHealthcheck({
    workerName: 'bench',
    port: 0,
    bindAddress: '127.0.0.1',
    eventLoopBlockThresholdSeconds: threshold,
    metricReader,
    defaultMetrics,
    gcMetrics,
    ...(metricsTimeoutMs ? { metricsTimeoutMs } : {}),
  });
  healthcheck.setListenerHealthy(true);
  stopRunning = () => healthcheck.shutdown();
  return healthcheck.port;
}

/**
 * `package` with its defaults, its thread started through the host's spawn seam as thread-stats.mjs. With
 * `exporterDir`, the build of another checkout, in this layout or in the flat one of earlier versions (no
 * heap limits there: the thread is started as they started it).
 */
async function workerHealthWithStats(threshold, exporterDir) {
  const { existsSync } = await import('node:fs');
  const { pathToFileURL } = await import('node:url');
  const dist = exporterDir ? pathToFileURL(`${exporterDir}/dist/`) : new URL('../packages/exporter/dist/', import.meta.url);
  const flat = !existsSync(new URL('main/', dist));
  const internal = (file) =>
    import(new URL(flat ? file.replace(/^(main|shared|thread)\//, '').replace('options.js', 'settings.js') : file, dist).href);
  const { resolveSettings } = await internal('main/options.js');
  const { startHealthcheck } = await internal('main/worker-healthcheck.js');
  const host = await internal('main/health-thread-host.js');
  const { threadExecOptions } = await internal('main/preload-flags.js');
  const wrapper = new URL('./thread-stats.mjs', import.meta.url);
  process.env.BENCH_THREAD_BUNDLE = new URL('health-thread.js', dist).href;
  const healthcheck = await startHealthcheck(
    resolveSettings({ workerName: 'bench', port: 0, bindAddress: '127.0.0.1', eventLoopBlockThresholdSeconds: threshold }),
    {
      spawnThread: (data) =>
        (statsThread = flat
          ? new workerThreads.Worker(wrapper, { workerData: data, ...threadExecOptions() })
          : host.spawnHealthThread(data, wrapper)),
    },
  );
  healthcheck.setListenerHealthy(true);
  return healthcheck.port;
}

async function promClient(series) {
  const client = (await import('prom-client')).default;
  client.collectDefaultMetrics();
  new client.Gauge({ name: 'hatchet_worker_listener_health_bench', help: 'Listener health (1 healthy, 0 unhealthy)' }).set(1);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  new client.Gauge({
    name: 'hatchet_worker_event_loop_lag_seconds_bench',
    help: 'Event loop lag in seconds (listener process)',
    collect() {
      this.set(lag.max / 1e9);
      lag.reset();
    },
  });
  if (series > 0) {
    const counter = new client.Counter({ name: 'app_requests_total', help: 'App requests', labelNames: ['route'] });
    for (let i = 0; i < series; i++) counter.inc({ route: `/route/${i}` });
  }
  return listen(
    createServer(async (req, res) => {
      if (req.url === '/health') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"HEALTHY"}');
      } else if (req.url === '/metrics') {
        const text = await client.register.metrics();
        res.writeHead(200, { 'Content-Type': client.register.contentType }).end(text);
      } else res.writeHead(404).end();
    }),
  );
}

async function bareOtel(threshold, series) {
  const { MeterProvider } = await import('@opentelemetry/sdk-metrics');
  const { PrometheusExporter } = await import('@opentelemetry/exporter-prometheus');
  const { HealthState, Heartbeat, registerWorkerHealthGauges } = await import('@worker-health/core');
  // Its own server cannot take port 0 (`port || 9464`): serve its handler from ours.
  const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const provider = providerFor(MeterProvider, exporter, series);
  const state = HealthState.create({ eventLoopBlockThresholdSeconds: threshold });
  state.setListenerHealthy(true);
  new Heartbeat(state).start();
  registerWorkerHealthGauges(provider.getMeter('bench'), state, 'bench');
  addSeries(provider.getMeter('app'), series);
  return listen(
    createServer((req, res) => {
      if (req.url === '/metrics') exporter.getMetricsRequestHandler(req, res);
      else if (req.url === '/health') {
        const status = state.status();
        res.writeHead(status === 'HEALTHY' ? 200 : 503, { 'Content-Type': 'application/json' }).end(`{"status":"${status}"}`);
      } else res.writeHead(404).end();
    }),
  );
}

async function offOtel() {
  const { MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
  class PullReader extends MetricReader {
    async onShutdown() {}
    async onForceFlush() {}
  }
  const reader = new PullReader();
  new MeterProvider({ readers: [reader] }).getMeter('app').createCounter('app_requests').add(1);
  await reader.collect();
  return 0;
}

const FLOOR_METRICS = [
  '# HELP hatchet_worker_listener_health_bench Listener health (1 healthy, 0 unhealthy)',
  '# TYPE hatchet_worker_listener_health_bench gauge',
  'hatchet_worker_listener_health_bench 1',
  '# HELP hatchet_worker_event_loop_lag_seconds_bench Event loop lag in seconds (listener process)',
  '# TYPE hatchet_worker_event_loop_lag_seconds_bench gauge',
  'hatchet_worker_event_loop_lag_seconds_bench 0',
  '',
].join('\n');

async function floor() {
  const { Worker } = await import('node:worker_threads');
  const thread = new Worker(
    `const { createServer } = require('node:http');
     const { parentPort, workerData } = require('node:worker_threads');
     const server = createServer((req, res) => {
       if (req.url === '/health') res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"HEALTHY"}');
       else if (req.url === '/metrics') res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(workerData);
       else res.writeHead(404).end();
     });
     server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
     // Loaded only when the memory breakdown asks, so that the floor of the cost table carries nothing more.
     parentPort.on('message', (m) => {
       if (m?.type !== 'bench:heap') return;
       const v8 = require('node:v8');
       parentPort.postMessage({ type: 'bench:heap', heap: v8.getHeapStatistics(), spaces: v8.getHeapSpaceStatistics() });
     });`,
    { eval: true, workerData: FLOOR_METRICS },
  );
  statsThread = thread;
  stopRunning = async () => {
    statsThread = undefined;
    await thread.terminate();
  };
  return new Promise((resolve, reject) => {
    thread.once('message', resolve);
    thread.once('error', reject);
  });
}

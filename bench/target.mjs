// A worker process under test, driven over stdin, answering on stdout (JSON lines).
//   node target.mjs <mode>
// modes:
//   package      @worker-health/exporter (server in a worker thread), default metrics on
//   package-lean the same with defaultMetrics: false (the two gauges only, like bare-otel)
//   off          no healthcheck at all
//   off-otel     no healthcheck, but the OpenTelemetry metrics SDK loaded and a MeterProvider in use
//   toggle       starts with no healthcheck; `hc on` / `hc off` start and shut down @worker-health/exporter
//   prom-client  the conventional setup: node:http on the main thread + prom-client collectDefaultMetrics + two gauges
//   bare-otel    @opentelemetry/exporter-prometheus on the main thread serving the same two gauges
// env: BENCH_THRESHOLD (s, default 1), BENCH_SERIES (app series on the passed-in MeterProvider, default 0)
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { runWork } from './work.mjs';

const mode = process.argv[2];
const threshold = Number(process.env.BENCH_THRESHOLD ?? '1');
const seriesCount = Number(process.env.BENCH_SERIES ?? '0');
const say = (object) => process.stdout.write(`${JSON.stringify(object)}\n`);

function addSeries(meter) {
  if (seriesCount === 0) return;
  const counter = meter.createCounter('app_requests', { description: 'App requests' });
  for (let i = 0; i < seriesCount; i++) counter.add(1, { route: `/route/${i}` });
}

let port = 0;
if (mode === 'package' || mode === 'package-lean') {
  const { MeterProvider } = await import('@opentelemetry/sdk-metrics');
  const { HealthcheckMetricReader, startWorkerHealthcheck } = await import('@worker-health/exporter');
  const metricReader = seriesCount ? new HealthcheckMetricReader() : undefined;
  if (metricReader) addSeries(new MeterProvider({ readers: [metricReader] }).getMeter('app'));
  const hc = await startWorkerHealthcheck({
    workerName: 'bench',
    port: 0,
    bindAddress: '127.0.0.1',
    eventLoopBlockThresholdSeconds: threshold,
    metricReader,
    defaultMetrics: mode === 'package',
  });
  hc.setListenerHealthy(true);
  port = hc.port;
} else if (mode === 'prom-client') {
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
  if (seriesCount) {
    const counter = new client.Counter({ name: 'app_requests_total', help: 'App requests', labelNames: ['route'] });
    for (let i = 0; i < seriesCount; i++) counter.inc({ route: `/route/${i}` });
  }
  const server = createServer(async (req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"HEALTHY"}');
    } else if (req.url === '/metrics') {
      const text = await client.register.metrics();
      res.writeHead(200, { 'Content-Type': client.register.contentType }).end(text);
    } else res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.address().port;
} else if (mode === 'bare-otel') {
  const { MeterProvider } = await import('@opentelemetry/sdk-metrics');
  const { PrometheusExporter } = await import('@opentelemetry/exporter-prometheus');
  const { HealthState, Heartbeat, registerWorkerHealthGauges } = await import('@worker-health/core');
  // Its own server cannot take port 0 (`port || 9464`): serve its handler from ours.
  const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const provider = new MeterProvider({ readers: [exporter] });
  const state = HealthState.create({ eventLoopBlockThresholdSeconds: threshold });
  state.setListenerHealthy(true);
  new Heartbeat(state).start();
  registerWorkerHealthGauges(provider.getMeter('bench'), state, 'bench');
  addSeries(provider.getMeter('app'));
  const server = createServer((req, res) => {
    if (req.url === '/metrics') exporter.getMetricsRequestHandler(req, res);
    else if (req.url === '/health') {
      const status = state.status();
      res.writeHead(status === 'HEALTHY' ? 200 : 503, { 'Content-Type': 'application/json' }).end(`{"status":"${status}"}`);
    } else res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.address().port;
} else if (mode === 'off-otel') {
  const { MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
  class PullReader extends MetricReader {
    async onShutdown() {}
    async onForceFlush() {}
  }
  const reader = new PullReader();
  new MeterProvider({ readers: [reader] }).getMeter('app').createCounter('app_requests').add(1);
  await reader.collect();
} else if (mode !== 'off' && mode !== 'toggle') {
  throw new Error(`unknown mode ${mode}`);
}
say({ port });

// BENCH_WORKLOAD: `js` (default) or `crypto`, see work.mjs.
const workload = process.env.BENCH_WORKLOAD ?? 'js';

const input = createInterface({ input: process.stdin });
input.on('line', async (line) => {
  const [command, arg] = line.split(' ');
  if (command === 'block') {
    const started = Date.now();
    say({ blocking: started });
    while (Date.now() - started < Number(arg)) {
      // synchronous: the event loop is blocked
    }
    say({ unblocked: Date.now() });
  } else if (command === 'work') {
    const items = Number(arg);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const { ms, sink } = await runWork(workload, items);
    delay.disable();
    say({ work: { items, ms, eldP99Ms: delay.percentile(99) / 1e6, sink } });
  } else if (command === 'hc') {
    const { startWorkerHealthcheck } = await import('@worker-health/exporter');
    if (arg === 'on') {
      globalThis.healthcheck = await startWorkerHealthcheck({
        workerName: 'bench',
        port: 0,
        bindAddress: '127.0.0.1',
        eventLoopBlockThresholdSeconds: threshold,
        defaultMetrics: process.env.BENCH_DEFAULT_METRICS !== 'false',
      });
      globalThis.healthcheck.setListenerHealthy(true);
      say({ hc: 'on', port: globalThis.healthcheck.port });
    } else {
      await globalThis.healthcheck?.shutdown();
      globalThis.healthcheck = undefined;
      say({ hc: 'off' });
    }
  } else if (command === 'mem') {
    globalThis.gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    say({ mem: { rss, heapUsed } });
  } else if (command === 'exit') {
    process.exit(0);
  }
});

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, describe, it } from 'node:test';
import { until } from '@worker-health/testing';
import { Processes } from './helpers.js';

interface OtlpPoint {
  asDouble?: number;
  asInt?: string | number;
}
interface OtlpMetric {
  name: string;
  description?: string;
  gauge?: { dataPoints: OtlpPoint[] };
}
interface OtlpRequest {
  resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: OtlpMetric[] }> }>;
}

/** A local OTLP/HTTP (JSON) receiver: decodes each export request. */
async function receiver(): Promise<{ server: Server; port: number; requests: Array<{ path: string; body: OtlpRequest }> }> {
  const requests: Array<{ path: string; body: OtlpRequest }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      assert.equal(req.headers['content-type'], 'application/json');
      requests.push({ path: req.url ?? '', body: JSON.parse(body) as OtlpRequest });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, requests };
}

function latest(requests: Array<{ body: OtlpRequest }>, name: string): { metric: OtlpMetric; value: number } | undefined {
  for (const { body } of [...requests].reverse()) {
    for (const rm of body.resourceMetrics) {
      for (const sm of rm.scopeMetrics) {
        const metric = sm.metrics.find((m) => m.name === name);
        const point = metric?.gauge?.dataPoints[0];
        if (metric && point) return { metric, value: Number(point.asDouble ?? point.asInt) };
      }
    }
  }
  return undefined;
}

describe('OTLP export of the core gauges', () => {
  const processes = new Processes();
  let server: Server | undefined;
  after(async () => {
    await processes.killAll();
    server?.close();
  });

  it('sends both gauges with the right values to a collector named by OTEL_EXPORTER_OTLP_ENDPOINT', { timeout: 60_000 }, async () => {
    const collector = await receiver();
    server = collector.server;
    const dispatcher = await processes.dispatcher();
    const dispatcherPort = dispatcher.port;
    const worker = processes.spawn(new URL('../dist/otlp-main.js', import.meta.url), {
      EXAMPLE_DISPATCHER_PORT: String(dispatcherPort),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collector.port}`,
      OTEL_METRIC_EXPORT_INTERVAL: '300',
    });
    await worker.next('ready');

    const healthy = await until('health 1 at the collector', async () => {
      const found = latest(collector.requests, 'hatchet_worker_listener_health_my_worker');
      return found?.value === 1 ? found : undefined;
    });
    assert.equal(healthy.metric.description, 'Listener health (1 healthy, 0 unhealthy)');
    assert.ok(collector.requests.every((r) => r.path === '/v1/metrics'));
    const lag = latest(collector.requests, 'hatchet_worker_event_loop_lag_seconds_my_worker');
    assert.equal(lag?.metric.description, 'Event loop lag in seconds (listener process)');
    assert.ok(lag!.value >= 0 && lag!.value < 0.5, `lag ${lag!.value}`);

    dispatcher.process.kill('SIGTERM');
    await until('health 0 at the collector', async () =>
      latest(collector.requests, 'hatchet_worker_listener_health_my_worker')?.value === 0 ? true : undefined,
    );

    worker.process.kill('SIGTERM');
    assert.deepEqual(await worker.exited(), { code: 0, signal: null }, worker.stderr);
  });
});

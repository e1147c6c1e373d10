import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { MeterProvider, type CollectionResult } from '@opentelemetry/sdk-metrics';
import { startWorkerHealthcheck, workerMetricNames, type WorkerHealthcheck } from '../src/index.js';
import { HealthcheckMetricReader } from '../src/metric-reader.js';
import { SlowReader } from './helpers.js';
import { Child, get, hasPrometheusTools, parseExposition, sleep, until } from '@worker-health/testing';

const start = (options: Partial<Parameters<typeof startWorkerHealthcheck>[0]> = {}) =>
  startWorkerHealthcheck({ workerName: 'w', port: 0, bindAddress: '127.0.0.1', ...options });

async function page(hc: WorkerHealthcheck) {
  return parseExposition((await get(hc.port, '/metrics')).body);
}

describe('served names', () => {
  for (const workerName of ['my__worker', '_worker', 'worker_', '9lives', 'a-_-b', 'wörker']) {
    it(`equal workerMetricNames(${JSON.stringify(workerName)})`, async () => {
      const hc = await start({ workerName, defaultMetrics: false });
      try {
        const names = workerMetricNames(workerName);
        const families = await page(hc);
        assert.ok(families.has(names.listenerHealth), `served: ${[...families.keys()].join(', ')}`);
        assert.ok(families.has(names.eventLoopLag));
      } finally {
        await hc.shutdown();
      }
    });
  }

  it('keeps `_worker` and `worker` apart', async () => {
    const a = await start({ workerName: '_worker', defaultMetrics: false });
    const b = await start({ workerName: 'worker', defaultMetrics: false });
    try {
      assert.ok((await page(a)).has('hatchet_worker_listener_health__worker'));
      assert.ok((await page(b)).has('hatchet_worker_listener_health_worker'));
    } finally {
      await Promise.all([a.shutdown(), b.shutdown()]);
    }
  });
});

describe('freshness when the main thread is late', () => {
  it('a slow application reader: the age gauge is always there and true to when the collection began', async () => {
    const reader = new SlowReader(600);
    const provider = new MeterProvider({ readers: [reader] });
    provider.getMeter('app').createCounter('jobs').add(3);
    const hc = await start({ metricReader: reader, metricsTimeoutMs: 100 });
    try {
      const first = await page(hc);
      assert.equal(first.has('jobs_total'), false, 'nothing collected yet');
      assert.ok(first.has('v8js_memory_heap_used'), 'the runtime figures need no waiting');
      const firstAge = first.get('worker_health_main_thread_metrics_age_seconds')?.samples[0]?.value;
      assert.ok(firstAge !== undefined, 'the age gauge is there before the first collection completes');
      await sleep(700); // the collection completes
      const startedAt = Date.now();
      const second = await page(hc);
      assert.equal(second.get('jobs_total')?.samples[0]?.value, 3, 'the completed collection is served');
      const age = second.get('worker_health_main_thread_metrics_age_seconds')!.samples[0]!.value;
      // Began ≥ 700 ms before this scrape (the first scrape asked), so the age says so.
      assert.ok(age >= 0.7, `age ${age}`);
      assert.ok(age <= 0.7 + 0.6 + (Date.now() - startedAt) / 1000 + 0.5, `age ${age}`);
      assert.equal(reader.collections, 2, 'one collection in flight at a time');
    } finally {
      await hc.shutdown();
      await provider.shutdown();
    }
  });
});

describe('the application measures the runtime itself', () => {
  for (const order of ['instrumentation first', 'healthcheck first']) {
    it(`serves each family once (${order})`, async (t) => {
      const reader = new HealthcheckMetricReader();
      const provider = new MeterProvider({ readers: [reader] });
      const instrumentation = new RuntimeNodeInstrumentation({ monitoringPrecision: 10, enabled: false });
      let hc: WorkerHealthcheck;
      if (order === 'instrumentation first') {
        instrumentation.setMeterProvider(provider);
        instrumentation.enable();
        hc = await start({ metricReader: reader });
      } else {
        hc = await start({ metricReader: reader });
        instrumentation.setMeterProvider(provider);
        instrumentation.enable();
      }
      try {
        const body = await until(
          'the runtime families',
          async () => {
            const text = (await get(hc.port, '/metrics')).body;
            return text.includes('nodejs_eventloop_delay_p99') && text.includes('process_memory_usage') ? text : undefined;
          },
          5_000,
        );
        const types = body.split('\n').filter((line) => line.startsWith('# TYPE '));
        assert.equal(new Set(types).size, types.length, 'no family twice');
        assert.equal(body.match(/^target_info/gm)?.length, 1);
        if (hasPrometheusTools(t)) {
          const result = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
          assert.equal(result.status, 0, `promtool: ${result.stdout}${result.stderr}`);
        }
      } finally {
        instrumentation.disable();
        await hc.shutdown();
        await provider.shutdown();
      }
    });
  }
});

describe('target_info', () => {
  for (const defaultMetrics of [true, false]) {
    it(`carries OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (defaultMetrics: ${defaultMetrics})`, async () => {
      const child = new Child(new URL('./fixtures/blocking-worker.mjs', import.meta.url), {
        OTEL_SERVICE_NAME: 'checkout-worker',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test',
        DEFAULT_METRICS: String(defaultMetrics),
      });
      try {
        const { port } = (await child.next('port')) as { port: number };
        const target = parseExposition((await get(port, '/metrics')).body).get('target_info')!.samples[0]!;
        assert.match(target.labels, /service_name="checkout-worker"/);
        assert.match(target.labels, /deployment_environment="test"/);
      } finally {
        child.process.kill();
        await child.exited();
      }
    });
  }
});

describe('an application reader whose data cannot be written', () => {
  it('is reported through onError, and the rest of /metrics is served', async () => {
    class BrokenReader extends HealthcheckMetricReader {
      override async collect(): Promise<CollectionResult> {
        const result = await super.collect();
        // A histogram without its value: writing it throws.
        const broken = {
          descriptor: { name: 'broken', description: '', unit: '', valueType: 1 },
          aggregationTemporality: 1,
          dataPointType: 0,
          dataPoints: [{ startTime: [0, 0], endTime: [0, 0], attributes: {}, value: undefined }],
        };
        return {
          ...result,
          resourceMetrics: { ...result.resourceMetrics, scopeMetrics: [{ scope: { name: 'x' }, metrics: [broken] }] },
        } as unknown as CollectionResult;
      }
    }
    const reader = new BrokenReader();
    const provider = new MeterProvider({ readers: [reader] });
    const errors: Error[] = [];
    const hc = await start({ workerName: 'w', metricReader: reader, onError: (error) => errors.push(error) });
    try {
      const reply = await get(hc.port, '/metrics');
      assert.equal(reply.status, 200);
      assert.match(reply.body, /^hatchet_worker_listener_health_w 0$/m, 'the worker gauges are served');
      assert.doesNotMatch(reply.body, /broken/);
      await until('the error to be reported', async () => (errors.length > 0 ? true : undefined), 5_000);
      assert.match(errors[0]!.message, /collecting the application metrics failed; \/metrics serves the last ones/);
      assert.equal((errors[0] as { code?: string }).code, 'ERR_WORKER_HEALTH_METRIC_READER');
    } finally {
      await hc.shutdown();
      await provider.shutdown();
    }
  });
});

describe('the label form of the worker gauges', () => {
  it('serves hatchet_worker_listener_health{worker="…"} with the name as given', async () => {
    const hc = await start({ workerName: 'my-worker "a"', metricNameForm: 'label', defaultMetrics: false });
    try {
      hc.setListenerHealthy(true);
      const body = (await get(hc.port, '/metrics')).body;
      assert.match(body, /^hatchet_worker_listener_health\{worker="my-worker \\"a\\""\} 1$/m);
      assert.match(body, /^hatchet_worker_event_loop_lag_seconds\{worker="my-worker \\"a\\""\} [0-9.e-]+$/m);
      assert.match(body, /^# HELP hatchet_worker_listener_health Listener health \(1 healthy, 0 unhealthy\)$/m);
    } finally {
      await hc.shutdown();
    }
  });

  it('rejects another form', async () => {
    await assert.rejects(
      start({ metricNameForm: 'labels' as 'label' }),
      /^HealthcheckConfigError: metricNameForm="labels" is not valid: expected 'suffix'/,
    );
  });
});

describe('runtime families scraped faster than they are recorded', () => {
  it('are on every scrape, and the delay figures follow the loop (not stuck on the first served)', async () => {
    const hc = await start();
    try {
      // Past the first recordings: the histogram needs 5 samples.
      await until('the delay figures', async () => ((await page(hc)).has('nodejs_eventloop_delay_max') ? true : undefined), 5_000);
      const maxima: number[] = [];
      for (let i = 0; i < 12; i++) {
        const families = await page(hc);
        for (const name of [
          'nodejs_eventloop_utilization',
          'nodejs_eventloop_delay_max',
          'nodejs_eventloop_delay_p99',
          'v8js_memory_heap_used',
        ]) {
          assert.ok(families.has(name), `scrape ${i}: ${name} missing`);
        }
        maxima.push(families.get('nodejs_eventloop_delay_max')!.samples[0]!.value);
        if (i === 5) {
          const until = Date.now() + 300;
          while (Date.now() < until) {
            // a 300 ms block of the main thread
          }
        }
        await sleep(250);
      }
      assert.ok(Math.max(...maxima.slice(6)) >= 0.25, `a later scrape shows the 300 ms block: ${maxima.join(', ')}`);
      assert.ok(Math.max(...maxima.slice(0, 6)) < 0.25, `earlier ones do not: ${maxima.join(', ')}`);
    } finally {
      await hc.shutdown();
    }
  });
});

describe('GC durations (gcMetrics)', () => {
  it('are left out by default and served with gcMetrics: true', async () => {
    const plain = await start();
    const withGc = await start({ gcMetrics: true });
    try {
      let junk: unknown[] = [];
      for (let i = 0; i < 300_000; i++) junk.push({ i, s: `item ${i}` });
      junk = [];
      assert.equal(junk.length, 0);
      await until('a recording with the collections', async () => ((await page(withGc)).has('v8js_gc_duration') ? true : undefined), 5_000);
      const families = await page(plain);
      assert.ok(families.has('v8js_memory_heap_used'), 'the other runtime families are there');
      assert.equal(families.has('v8js_gc_duration'), false);
    } finally {
      await Promise.all([plain.shutdown(), withGc.shutdown()]);
    }
  });

  it('rejects a non-boolean', async () => {
    await assert.rejects(
      start({ gcMetrics: 'yes' as unknown as boolean }),
      /^HealthcheckConfigError: gcMetrics="yes" is not valid: expected true or false/,
    );
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { startWorkerHealthcheck, type WorkerHealthcheck } from '../src/index.js';
import { HealthcheckMetricReader } from '../src/metric-reader.js';
import { get, hasPrometheusTools, parseExposition, until } from '@worker-health/testing';

describe('/metrics', () => {
  let hc: WorkerHealthcheck;
  let provider: MeterProvider;
  before(async () => {
    const reader = new HealthcheckMetricReader();
    provider = new MeterProvider({ readers: [reader] });
    const meter = provider.getMeter('app');
    meter.createCounter('tasks_completed', { description: 'Tasks completed' }).add(7, { kind: 'quick' });
    meter.createHistogram('task_duration_seconds', { description: 'Task duration' }).record(0.25);
    hc = await startWorkerHealthcheck({
      workerName: 'my-worker',
      port: 0,
      bindAddress: '127.0.0.1',
      metricReader: reader,
      gcMetrics: true,
    });
    hc.setListenerHealthy(true);
  });
  after(async () => {
    await hc.shutdown();
    await provider.shutdown();
  });

  it('serves Prometheus text with the seed page gauge lines', async () => {
    const reply = await get(hc.port, '/metrics');
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    const lines = reply.body.split('\n');
    for (const expected of [
      '# HELP hatchet_worker_listener_health_myworker Listener health (1 healthy, 0 unhealthy)',
      '# TYPE hatchet_worker_listener_health_myworker gauge',
      'hatchet_worker_listener_health_myworker 1',
      '# HELP hatchet_worker_event_loop_lag_seconds_myworker Event loop lag in seconds (listener process)',
      '# TYPE hatchet_worker_event_loop_lag_seconds_myworker gauge',
    ]) {
      assert.ok(lines.includes(expected), `missing line: ${expected}`);
    }
    const lag = parseExposition(reply.body).get('hatchet_worker_event_loop_lag_seconds_myworker');
    assert.equal(lag?.samples.length, 1);
    assert.equal(lag?.samples[0]?.labels, '', 'the gauges carry no labels');
    assert.ok(lag!.samples[0]!.value >= 0 && lag!.samples[0]!.value < 0.5, `lag ${lag!.samples[0]!.value}`);
  });

  it('follows the listener: health 0 when it is down', async () => {
    hc.setListenerHealthy(false);
    const families = parseExposition((await get(hc.port, '/metrics')).body);
    assert.equal(families.get('hatchet_worker_listener_health_myworker')?.samples[0]?.value, 0);
    hc.setListenerHealthy(true);
    const again = parseExposition((await get(hc.port, '/metrics')).body);
    assert.equal(again.get('hatchet_worker_listener_health_myworker')?.samples[0]?.value, 1);
  });

  it('includes process, runtime and GC metrics, measured on the main thread where they are per thread', async () => {
    // Give the GC something to report: enough garbage for a few scavenges.
    let junk: unknown[] = [];
    for (let i = 0; i < 300_000; i++) junk.push({ i, s: `item ${i}` });
    junk = [];
    // And a main-thread heap that no health thread could have: 30 MB and more held here.
    const before = process.memoryUsage().heapUsed;
    const ballast = Array.from({ length: 800_000 }, (_, i) => ({ i, s: `ballast ${i}`.repeat(4) }));
    const held = process.memoryUsage().heapUsed - before;
    assert.ok(held > 30 * 2 ** 20, `ballast ${held} bytes`);
    // The main thread records its figures every second: wait for a recording that saw the ballast.
    const families = await until(
      'a recording with the ballast',
      async () => {
        const page = parseExposition((await get(hc.port, '/metrics')).body);
        const heap = page.get('v8js_memory_heap_used')?.samples.reduce((sum, s) => sum + s.value, 0) ?? 0;
        return heap > held && page.has('v8js_gc_duration') ? page : undefined;
      },
      5_000,
    );
    for (const name of [
      'process_cpu_time_total',
      'process_memory_usage',
      'nodejs_version_info',
      'nodejs_eventloop_delay_p99',
      'nodejs_eventloop_utilization',
      'v8js_memory_heap_used',
      'v8js_gc_duration',
      'target_info',
    ]) {
      assert.ok(families.has(name), `missing ${name}`);
    }
    const version = families.get('nodejs_version_info')!.samples[0]!;
    assert.match(version.labels, new RegExp(`version="${process.version}"`));
    const heapUsed = families.get('v8js_memory_heap_used')!.samples.reduce((sum, s) => sum + s.value, 0);
    assert.ok(heapUsed > held, `heap reported ${heapUsed} bytes: the main thread's, which holds ${held}`);
    assert.equal(ballast.length, 800_000);
    assert.equal(families.get('target_info')!.samples.length, 1, 'one target_info');
  });

  it('includes the application metrics of the passed-in reader', async () => {
    const families = parseExposition((await get(hc.port, '/metrics')).body);
    assert.deepEqual(families.get('tasks_completed_total')?.samples, [
      { name: 'tasks_completed_total', labels: '{kind="quick"}', value: 7 },
    ]);
    assert.equal(families.get('tasks_completed_total')?.help, 'Tasks completed');
    assert.equal(families.get('task_duration_seconds')?.type, 'histogram');
  });

  it('passes promtool check metrics with no errors', async (t) => {
    if (!hasPrometheusTools(t)) return;
    const body = (await get(hc.port, '/metrics')).body;
    const result = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    assert.equal(result.status, 0, `promtool: ${result.stdout}${result.stderr}`);
    assert.equal(`${result.stdout}${result.stderr}`.trim(), '', 'no lint findings either');
  });

  it('never repeats a metric family', async () => {
    const body = (await get(hc.port, '/metrics')).body;
    const types = body.split('\n').filter((line) => line.startsWith('# TYPE '));
    assert.equal(new Set(types).size, types.length);
  });
});

describe('/metrics with defaultMetrics: false', () => {
  it('serves the two gauges, target_info and the application metrics only', async () => {
    const reader = new HealthcheckMetricReader();
    const provider = new MeterProvider({ readers: [reader] });
    provider.getMeter('app').createCounter('jobs').add(2);
    const hc = await startWorkerHealthcheck({
      workerName: 'lean',
      port: 0,
      bindAddress: '127.0.0.1',
      defaultMetrics: false,
      metricReader: reader,
    });
    try {
      hc.setListenerHealthy(true);
      const families = parseExposition((await get(hc.port, '/metrics')).body);
      assert.deepEqual([...families.keys()].sort(), [
        'hatchet_worker_event_loop_lag_seconds_lean',
        'hatchet_worker_listener_health_lean',
        'jobs_total',
        'target_info',
        'worker_health_main_thread_metrics_age_seconds',
      ]);
      assert.equal(families.get('hatchet_worker_listener_health_lean')?.samples[0]?.value, 1);
    } finally {
      await hc.shutdown();
      await provider.shutdown();
    }
  });

  it('without a metricReader never asks the main thread: just the gauges and target_info', async () => {
    const hc = await startWorkerHealthcheck({ workerName: 'bare', port: 0, bindAddress: '127.0.0.1', defaultMetrics: false });
    try {
      const families = parseExposition((await get(hc.port, '/metrics')).body);
      assert.deepEqual([...families.keys()].sort(), [
        'hatchet_worker_event_loop_lag_seconds_bare',
        'hatchet_worker_listener_health_bare',
        'target_info',
      ]);
    } finally {
      await hc.shutdown();
    }
  });

  it('rejects a non-boolean', async () => {
    await assert.rejects(
      startWorkerHealthcheck({ workerName: 'w', port: 0, defaultMetrics: 'no' as unknown as boolean }),
      /^HealthcheckConfigError: defaultMetrics="no" is not valid: expected true or false/,
    );
  });
});

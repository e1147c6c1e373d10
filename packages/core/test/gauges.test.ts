import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MeterProvider, MetricReader, type GaugeMetricData } from '@opentelemetry/sdk-metrics';
import { HealthState, registerWorkerHealthGauges } from '../src/index.js';

/** A pull reader that keeps nothing: `collect()` is all the tests need. */
class InMemoryReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

function setup() {
  const reader = new InMemoryReader();
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('test');
  return { reader, provider, meter };
}

async function gauges(reader: MetricReader): Promise<Map<string, { description: string; values: number[] }>> {
  const { resourceMetrics, errors } = await reader.collect();
  assert.deepEqual(errors, []);
  const found = new Map<string, { description: string; values: number[] }>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics as GaugeMetricData[]) {
      if (metric.dataPoints.length === 0) continue;
      found.set(metric.descriptor.name, {
        description: metric.descriptor.description,
        values: metric.dataPoints.map((point) => point.value),
      });
    }
  }
  return found;
}

describe('registerWorkerHealthGauges', () => {
  it('in the label form: one name for every worker, the worker in a `worker` attribute', async () => {
    const { reader, provider, meter } = setup();
    const a = HealthState.create();
    const b = HealthState.create();
    a.setListenerHealthy(true);
    b.setListenerHealthy(false);
    registerWorkerHealthGauges(meter, a, 'worker-a', { metricNameForm: 'label' });
    registerWorkerHealthGauges(meter, b, 'worker-b', { metricNameForm: 'label' });
    const { resourceMetrics } = await reader.collect();
    const health = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'hatchet_worker_listener_health') as GaugeMetricData;
    assert.deepEqual(health.dataPoints.map((p) => [p.attributes.worker, p.value]).sort(), [
      ['worker-a', 1],
      ['worker-b', 0],
    ]);
    await provider.shutdown();
  });

  it('reports health 1/0 and the lag in seconds, with the seed page names and HELP', async () => {
    const { reader, provider, meter } = setup();
    const state = HealthState.create({ heartbeatIntervalMs: 100, eventLoopBlockThresholdSeconds: 0.2 });
    registerWorkerHealthGauges(meter, state, 'my-worker');

    state.beat();
    let seen = await gauges(reader);
    assert.deepEqual(seen.get('hatchet_worker_listener_health_myworker'), {
      description: 'Listener health (1 healthy, 0 unhealthy)',
      values: [0], // STARTING is not healthy
    });
    assert.equal(seen.get('hatchet_worker_event_loop_lag_seconds_myworker')?.description, 'Event loop lag in seconds (listener process)');
    assert.equal(seen.get('hatchet_worker_event_loop_lag_seconds_myworker')?.values[0], 0);

    state.setListenerHealthy(true);
    seen = await gauges(reader);
    assert.deepEqual(seen.get('hatchet_worker_listener_health_myworker')?.values, [1]);

    // No heartbeat for 400 ms with a 100 ms interval: lag about 0.3 s, above the 0.2 s threshold.
    await new Promise((resolve) => setTimeout(resolve, 400));
    seen = await gauges(reader);
    const lag = seen.get('hatchet_worker_event_loop_lag_seconds_myworker')!.values[0]!;
    assert.ok(lag >= 0.29 && lag < 1, `lag ${lag}`);
    assert.deepEqual(seen.get('hatchet_worker_listener_health_myworker')?.values, [0]);
    await provider.shutdown();
  });

  it('does not duplicate series when registered twice on one meter', async () => {
    const { reader, provider, meter } = setup();
    const state = HealthState.create();
    state.setListenerHealthy(true);
    const first = registerWorkerHealthGauges(meter, state, 'my_worker');
    const second = registerWorkerHealthGauges(meter, state, 'my_worker');
    assert.equal(second, first);
    const { resourceMetrics } = await reader.collect();
    const metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
    assert.equal(metrics.length, 2);
    for (const metric of metrics) assert.equal(metric.dataPoints.length, 1);
    assert.throws(
      () => registerWorkerHealthGauges(meter, HealthState.create(), 'my_worker'),
      /already registered on this meter with another HealthState/,
    );
    await provider.shutdown();
  });

  it('removes its callback on shutdown, and can register again afterwards', async () => {
    const { reader, provider, meter } = setup();
    const state = HealthState.create();
    state.setListenerHealthy(true);
    const registration = registerWorkerHealthGauges(meter, state, 'my_worker');
    assert.deepEqual((await gauges(reader)).get('hatchet_worker_listener_health_my_worker')?.values, [1]);
    registration.shutdown();
    registration.shutdown();
    // The SDK keeps exporting the last cumulative point; what shows the callback is gone
    // is that a change of state no longer reaches the gauge.
    state.setListenerHealthy(false);
    assert.deepEqual((await gauges(reader)).get('hatchet_worker_listener_health_my_worker')?.values, [1]);

    const fresh = HealthState.create();
    fresh.setListenerHealthy(false);
    const again = registerWorkerHealthGauges(meter, fresh, 'my_worker');
    assert.notEqual(again, registration);
    assert.deepEqual((await gauges(reader)).get('hatchet_worker_listener_health_my_worker')?.values, [0]);
    await provider.shutdown();
  });

  it('keeps two workers on one meter apart', async () => {
    const { reader, provider, meter } = setup();
    const a = HealthState.create();
    const b = HealthState.create();
    a.setListenerHealthy(true);
    b.setListenerHealthy(false);
    registerWorkerHealthGauges(meter, a, 'a');
    registerWorkerHealthGauges(meter, b, 'b');
    const seen = await gauges(reader);
    assert.deepEqual(seen.get('hatchet_worker_listener_health_a')?.values, [1]);
    assert.deepEqual(seen.get('hatchet_worker_listener_health_b')?.values, [0]);
    await provider.shutdown();
  });

  it('rejects a worker name that sanitizes to nothing before touching the meter', () => {
    const { meter } = setup();
    assert.throws(() => registerWorkerHealthGauges(meter, HealthState.create(), '---'), /workerName="---"/);
  });
});

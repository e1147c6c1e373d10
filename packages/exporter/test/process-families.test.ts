// The health thread makes its process families and target_info without OpenTelemetry's SDK; here they are
// held to what @opentelemetry/host-metrics and @opentelemetry/resources give for the same process.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueType } from '@opentelemetry/api';
import { HostMetrics } from '@opentelemetry/host-metrics';
import { defaultResource, detectResources, envDetector } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, MeterProvider } from '@opentelemetry/sdk-metrics';
import { HealthcheckMetricReader } from '../src/metric-reader.js';
import { CUMULATIVE, DOUBLE, resourceMetricsText } from '../src/shared/prometheus-text.js';
import { ProcessMetrics } from '../src/thread/process-metrics.js';
import { OTEL_SDK_VERSION, processResourceAttributes } from '../src/thread/resource.js';
import { parseExposition } from '@worker-health/testing';

/** Each family's header lines and the label sets of its samples: everything but the values. */
function shape(text: string) {
  const families = parseExposition(text);
  const headers = text.split('\n').filter((line) => line.startsWith('# '));
  return { headers, labels: Object.fromEntries([...families].map(([name, f]) => [name, f.samples.map((s) => `${s.name}${s.labels}`)])) };
}

describe('the process families', () => {
  it("are host-metrics' process.cpu and process.memory groups and nodejs_version_info, as the serializer writes them", async () => {
    const reader = new HealthcheckMetricReader();
    const provider = new MeterProvider({ readers: [reader] });
    new HostMetrics({ meterProvider: provider, metricGroups: ['process.cpu', 'process.memory'] }).start();
    const [major, minor, patch] = process.versions.node.split('.');
    provider
      .getMeter('@worker-health/exporter')
      .createObservableGauge('nodejs_version_info', { description: 'Node.js version info' })
      .addCallback((result) => result.observe(1, { version: process.version, major, minor, patch }));
    const ours = new ProcessMetrics();
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const theirs = resourceMetricsText((await reader.collect()).resourceMetrics, { withTargetInfo: false });
      const mine = resourceMetricsText(
        { resource: { attributes: {} }, scopeMetrics: [{ scope: { name: 'p' }, metrics: ours.metrics() }] },
        { withTargetInfo: false },
      );
      assert.deepEqual(shape(mine), shape(theirs));
      const a = parseExposition(mine);
      const b = parseExposition(theirs);
      const value = (families: typeof a, family: string, labels = '') =>
        families.get(family)?.samples.find((s) => s.labels === labels)?.value ?? NaN;
      const user = '{process_cpu_state="user"}';
      assert.ok(
        Math.abs(value(a, 'process_cpu_time_total', user) - value(b, 'process_cpu_time_total', user)) < 0.5,
        'CPU time as host-metrics reads it',
      );
      assert.ok(
        Math.abs(value(a, 'process_memory_usage') - value(b, 'process_memory_usage')) < 64 * 2 ** 20,
        'RSS as host-metrics reads it',
      );
      for (const share of [value(a, 'process_cpu_utilization', user), value(a, 'process_cpu_utilization', '{process_cpu_state="system"}')])
        assert.ok(share >= 0 && share <= 1, `utilization ${share}`);
    } finally {
      await provider.shutdown();
    }
  });
});

describe('target_info of the thread', () => {
  const cases: Array<[string, NodeJS.ProcessEnv]> = [
    ['no variables', {}],
    ['OTEL_SERVICE_NAME', { OTEL_SERVICE_NAME: 'checkout' }],
    ['OTEL_RESOURCE_ATTRIBUTES', { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod, team=payments ,k8s.pod.name=%E2%9C%93pod' }],
    ['both, the name in both', { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes,region=eu', OTEL_SERVICE_NAME: 'from-name' }],
    ['blank values', { OTEL_SERVICE_NAME: '  ', OTEL_RESOURCE_ATTRIBUTES: ' ' }],
    ['an unencoded = discards the variable', { OTEL_RESOURCE_ATTRIBUTES: 'a=1,b=2=3', OTEL_SERVICE_NAME: 'kept' }],
    ['a bad percent escape discards it', { OTEL_RESOURCE_ATTRIBUTES: 'a=%E0%A4%A' }],
    ['an empty key discards it', { OTEL_RESOURCE_ATTRIBUTES: '=x,a=1' }],
    ['a value past 255 characters discards it', { OTEL_RESOURCE_ATTRIBUTES: `a=${'x'.repeat(256)},b=2` }],
    ['empty entries are skipped', { OTEL_RESOURCE_ATTRIBUTES: 'a=1,,b=2,' }],
  ];
  for (const [what, env] of cases) {
    it(`${what}: the attributes, in the order, of defaultResource().merge(envDetector)`, () => {
      const saved = { ...process.env };
      try {
        delete process.env.OTEL_SERVICE_NAME;
        delete process.env.OTEL_RESOURCE_ATTRIBUTES;
        Object.assign(process.env, env);
        const expected = defaultResource().merge(detectResources({ detectors: [envDetector] })).attributes;
        assert.deepEqual(Object.entries(processResourceAttributes(env)), Object.entries(expected));
      } finally {
        process.env = saved;
      }
    });
  }

  it('names the SDK version of the @opentelemetry/resources the package is tested with', () => {
    assert.equal(OTEL_SDK_VERSION, defaultResource().attributes['telemetry.sdk.version']);
  });
});

describe('the enum values metric data carries', () => {
  it("are OpenTelemetry's", () => {
    assert.equal(CUMULATIVE, AggregationTemporality.CUMULATIVE);
    assert.equal(DOUBLE, ValueType.DOUBLE);
    assert.equal(DataPointType.SUM, 3);
  });
});

// The package's Prometheus writer against OpenTelemetry's own serializer: the same bytes for the same data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueType } from '@opentelemetry/api';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { HostMetrics } from '@opentelemetry/host-metrics';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  DataPointType,
  MeterProvider,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { HealthcheckMetricReader } from '../src/metric-reader.js';
import { CHUNK_BYTES, ChunkSink, DATA_POINT_TYPES, resourceMetricsText, writeResourceMetrics } from '../src/shared/prometheus-text.js';

const NO_METRICS = '# no registered metrics';
/** What OpenTelemetry's serializer writes, with scope info off, as the package configures it. */
function otel(metrics: ResourceMetrics, withTargetInfo: boolean): string {
  const text = new PrometheusSerializer(undefined, false, undefined, !withTargetInfo, true).serialize(metrics);
  return text.endsWith(NO_METRICS) ? text.slice(0, -NO_METRICS.length) : text;
}

/** A provider with every kind of instrument, odd names, units, label keys and values. */
async function corpus(): Promise<{ metrics: ResourceMetrics; shutdown(): Promise<void> }> {
  const reader = new HealthcheckMetricReader();
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'svc "q"', 'service.instance.id': 'a\\b\nc', 'process.pid': 42, 'x.flag': true }),
    readers: [reader],
    views: [{ instrumentName: 'exp.histogram', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = provider.getMeter('corpus', '1.2.3');
  meter.createCounter('http.requests', { description: 'Requests "served"\nwith a\\backslash', unit: '{request}' }).add(3, {
    'http.route': '/a "b"',
    'http.status-code': 200,
    ok: true,
    list: ['x', 'y'],
  });
  meter.createCounter('already_total', { description: '' }).add(1);
  meter.createCounter('9lives').add(1, { 'weird key.with-dots': 'v' });
  meter.createCounter('a__b..c').add(2);
  meter.createUpDownCounter('queue.depth', { unit: 'By' }).add(-5, { queue: 'q1' });
  meter.createGauge('temperature', { valueType: ValueType.DOUBLE }).record(Number.NaN, { room: 'x' });
  meter.createGauge('big').record(Infinity);
  meter.createGauge('small').record(-Infinity);
  meter.createGauge('fraction').record(0.1 + 0.2);
  meter.createGauge('tiny').record(1e-21);
  const histogram = meter.createHistogram('latency', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 0.5, 1] } });
  for (const v of [0.05, 0.2, 0.7, 3]) histogram.record(v, { route: 'r' });
  histogram.record(0.3);
  meter.createHistogram('exp.histogram').record(5);
  meter
    .createObservableGauge('observed', { description: 'observed gauge' })
    .addCallback((result) => result.observe(7, { 'k\nnewline': 'v' }));
  for (let i = 0; i < 50; i++) meter.createCounter('many').add(i, { index: String(i), quote: `"${i}"` });
  const host = new HostMetrics({ meterProvider: provider, metricGroups: ['process.cpu', 'process.memory'] });
  host.start();
  const runtime = new RuntimeNodeInstrumentation({ monitoringPrecision: 10, enabled: false });
  runtime.setMeterProvider(provider);
  runtime.enable();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const { resourceMetrics } = await reader.collect();
  return {
    metrics: resourceMetrics,
    shutdown: async () => {
      runtime.disable();
      await provider.shutdown();
    },
  };
}

/** Hand-made data the SDK does not produce but a reader might hold. */
const handMade: MetricData[] = [
  {
    descriptor: { name: 'hist.no_sum', description: 'h', unit: '', valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: [
      {
        startTime: [0, 0],
        endTime: [0, 0],
        attributes: { a: '1' },
        value: { buckets: { boundaries: [1, Infinity], counts: [1, 2, 3] }, count: 6 },
      },
      { startTime: [0, 0], endTime: [0, 0], attributes: {}, value: { buckets: { boundaries: [], counts: [4] }, sum: 1.5, count: 4 } },
    ],
  },
  {
    descriptor: { name: '...', description: 'dropped: nothing valid is left of the name', unit: '', valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints: [{ startTime: [0, 0], endTime: [0, 0], attributes: {}, value: 1 }],
  },
  {
    descriptor: { name: 'sum.nonmonotonic', description: 'd', unit: '1', valueType: ValueType.INT },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: false,
    dataPoints: [
      { startTime: [0, 0], endTime: [0, 0], attributes: { u: undefined as unknown as string, n: null as unknown as string }, value: 2 },
    ],
  },
];

describe('the Prometheus writer', () => {
  it("writes what OpenTelemetry's PrometheusSerializer writes, byte for byte, with and without target_info", async () => {
    const { metrics, shutdown } = await corpus();
    try {
      const all: ResourceMetrics = { ...metrics, scopeMetrics: [...metrics.scopeMetrics, { scope: { name: 'hand' }, metrics: handMade }] };
      const families = all.scopeMetrics.reduce((n, scope) => n + scope.metrics.length, 0);
      assert.ok(families >= 30, `${families} families in the corpus`);
      for (const withTargetInfo of [true, false]) {
        const expected = otel(all, withTargetInfo);
        assert.ok(expected.includes('# TYPE latency histogram'), 'the corpus is what the test thinks it is');
        assert.equal(resourceMetricsText(all, { withTargetInfo }), expected);
      }
    } finally {
      await shutdown();
    }
  });

  it('an empty provider: target_info alone, or nothing', () => {
    const empty: ResourceMetrics = { resource: resourceFromAttributes({ a: 'b' }), scopeMetrics: [] };
    assert.equal(resourceMetricsText(empty, { withTargetInfo: true }), otel(empty, true));
    assert.equal(resourceMetricsText(empty, { withTargetInfo: false }), '');
  });

  it('leaves out the families named in skip', async () => {
    const { metrics, shutdown } = await corpus();
    try {
      const text = resourceMetricsText(metrics, { withTargetInfo: false, skip: new Set(['latency', 'many']) });
      assert.doesNotMatch(text, /^# TYPE (latency|many_total) /m);
      assert.match(text, /^# TYPE http_requests_total counter$/m);
    } finally {
      await shutdown();
    }
  });

  it('100 000 series in chunks of about CHUNK_BYTES, each owning its buffer, yielding after each', () => {
    const points = Array.from({ length: 100_000 }, (_, i) => ({
      startTime: [0, 0] as [number, number],
      endTime: [0, 0] as [number, number],
      attributes: { route: `/r/${i}` },
      value: i,
    }));
    const metrics: ResourceMetrics = {
      resource: resourceFromAttributes({}),
      scopeMetrics: [
        {
          scope: { name: 's' },
          metrics: [
            {
              descriptor: { name: 'requests', description: 'r', unit: '', valueType: ValueType.INT },
              aggregationTemporality: AggregationTemporality.CUMULATIVE,
              dataPointType: DataPointType.SUM,
              isMonotonic: true,
              dataPoints: points,
            },
          ],
        },
      ],
    };
    const sink = new ChunkSink();
    let yields = 0;
    for (const _ of writeResourceMetrics(sink, metrics, { withTargetInfo: false })) yields++;
    sink.flush();
    assert.ok(sink.chunks.length > 10, `${sink.chunks.length} chunks`);
    assert.equal(yields, sink.chunks.length - 1, 'a turn after every chunk but the last');
    for (const chunk of sink.chunks) {
      assert.ok(chunk.byteLength <= CHUNK_BYTES + 200, `a chunk of ${chunk.byteLength} bytes`);
      assert.equal(chunk.byteOffset, 0);
      assert.equal(chunk.buffer.byteLength, chunk.byteLength, 'the chunk owns its whole ArrayBuffer (transferable as is)');
      assert.equal(chunk.at(-1), 0x0a, 'every chunk ends at a line boundary');
    }
    assert.equal(
      sink.bytes,
      sink.chunks.reduce((n, c) => n + c.byteLength, 0),
    );
    assert.equal(Buffer.concat(sink.chunks).toString(), otel(metrics, false));
  });
});

describe('the data point types the writer knows', () => {
  it("are sdk-metrics' own DataPointType values", () => {
    assert.deepEqual(DATA_POINT_TYPES, { HISTOGRAM: DataPointType.HISTOGRAM, GAUGE: DataPointType.GAUGE, SUM: DataPointType.SUM });
  });
});

import type { Attributes, HrTime } from '@opentelemetry/api';
import type { MetricData, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { CUMULATIVE, DATA_POINT_TYPES, DOUBLE, hrNow } from '../shared/prometheus-text.js';
import { GC_DURATION_BOUNDARIES, type RuntimeFiguresReader, type RuntimeFiguresSnapshot } from '../shared/runtime-figures.js';

const { GAUGE, HISTOGRAM, SUM } = DATA_POINT_TYPES;

const DELAY_STATS = [
  ['min', 'Event loop minimum delay.'],
  ['max', 'Event loop maximum delay.'],
  ['mean', 'Event loop mean delay.'],
  ['stddev', 'Event loop standard deviation delay.'],
  ['p50', 'Event loop 50 percentile delay.'],
  ['p90', 'Event loop 90 percentile delay.'],
  ['p99', 'Event loop 99 percentile delay.'],
] as const;

/**
 * Health-thread side of the runtime metrics: the main thread's figures, read
 * from shared memory, as the families (names, descriptions, units and
 * attributes) of `@opentelemetry/instrumentation-runtime-node`.
 */
export class RuntimeMetrics {
  private readonly startTime: HrTime = hrNow();
  private lastEventLoopTime: { idle: number; active: number } | undefined;
  private lastUtilization: number | undefined;

  constructor(private readonly figures: RuntimeFiguresReader) {
    // The first utilization covers the time since the thread started, as the instrumentation's covers the time since it was built.
    this.lastEventLoopTime = figures.read()?.eventLoopTime;
  }

  /** The figures as last recorded, or undefined before the first recording. */
  snapshot(): RuntimeFiguresSnapshot | undefined {
    const snapshot = this.figures.read();
    return snapshot && snapshot.recordedAt !== 0n ? snapshot : undefined;
  }

  /** The runtime families of `snapshot`, leaving out those in `skip` (OTel names). */
  scopeMetrics(snapshot: RuntimeFiguresSnapshot, skip: ReadonlySet<string>): ScopeMetrics {
    const endTime = hrNow();
    const point = <T>(value: T, attributes: Attributes = {}) => ({ startTime: this.startTime, endTime, attributes, value });
    const metrics: MetricData[] = [];
    const add = (data: MetricData) => {
      if (!skip.has(data.descriptor.name)) metrics.push(data);
    };
    const gauge = (name: string, description: string, unit: string, dataPoints: Array<ReturnType<typeof point<number>>>) =>
      add({
        descriptor: { name, description, unit, valueType: DOUBLE },
        aggregationTemporality: CUMULATIVE,
        dataPointType: GAUGE,
        dataPoints,
      });

    // Utilization over the time since the previous scrape, as the instrumentation computes it; a
    // scrape that comes before the next recording serves the last utilization again.
    const { idle, active } = snapshot.eventLoopTime;
    const last = this.lastEventLoopTime ?? { idle: 0, active: 0 };
    const elapsed = idle - last.idle + (active - last.active);
    if (elapsed > 0) {
      this.lastUtilization = (active - last.active) / elapsed;
      this.lastEventLoopTime = { idle, active };
    }
    if (this.lastUtilization !== undefined)
      gauge('nodejs.eventloop.utilization', 'Event loop utilization', '1', [point(this.lastUtilization)]);
    add({
      descriptor: {
        name: 'nodejs.eventloop.time',
        description: 'Cumulative duration of time the event loop has been in each state.',
        unit: 's',
        valueType: DOUBLE,
      },
      aggregationTemporality: CUMULATIVE,
      dataPointType: SUM,
      isMonotonic: true,
      dataPoints: [point(active / 1000, { 'nodejs.eventloop.state': 'active' }), point(idle / 1000, { 'nodejs.eventloop.state': 'idle' })],
    });

    const delay = snapshot.eventLoopDelay;
    // As the instrumentation: nothing until the histogram has 5 samples.
    if (delay.count >= 5) {
      for (const [stat, description] of DELAY_STATS) gauge(`nodejs.eventloop.delay.${stat}`, description, 's', [point(delay[stat])]);
      this.figures.markDelayServed();
    }

    if (snapshot.gc.length > 0) {
      add({
        descriptor: {
          name: 'v8js.gc.duration',
          description: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
          unit: 's',
          valueType: DOUBLE,
        },
        aggregationTemporality: CUMULATIVE,
        dataPointType: HISTOGRAM,
        dataPoints: snapshot.gc.map((gc) =>
          point(
            { buckets: { boundaries: [...GC_DURATION_BOUNDARIES], counts: gc.buckets }, sum: gc.sum, count: gc.count },
            { 'v8js.gc.type': gc.kind },
          ),
        ),
      });
    }

    const spaces = snapshot.heapSpaces;
    const bySpace = (pick: (space: (typeof spaces)[number]) => number) =>
      spaces.map((space) => point(pick(space), { 'v8js.heap.space.name': space.name }));
    add({
      descriptor: {
        name: 'v8js.memory.heap.space.size',
        description: 'Total heap memory size pre-allocated for a heap space.',
        unit: 'By',
        valueType: DOUBLE,
      },
      aggregationTemporality: CUMULATIVE,
      dataPointType: SUM,
      isMonotonic: false,
      dataPoints: bySpace((s) => s.size),
    });
    gauge(
      'v8js.memory.heap.used',
      'Heap Memory size allocated.',
      'By',
      bySpace((s) => s.used),
    );
    gauge(
      'v8js.memory.heap.space.available_size',
      'Heap space available size.',
      'By',
      bySpace((s) => s.available),
    );
    gauge(
      'v8js.memory.heap.space.physical_size',
      'Committed size of a heap space.',
      'By',
      bySpace((s) => s.physical),
    );
    gauge(
      'v8js.resource.active',
      'Count of the active resources that are currently keeping the event loop alive.',
      '{resource}',
      snapshot.activeResources.map((r) => point(r.count, { 'v8js.resource.type': r.type })),
    );
    return { scope: { name: '@worker-health/exporter/runtime' }, metrics: metrics.filter((m) => m.dataPoints.length > 0) };
  }
}

import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { Resource } from '@opentelemetry/resources';

/** A pull-only reader: the thread's process metrics are collected only when `/metrics` is written. */
class PullReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }

  protected override async onForceFlush(): Promise<void> {}

  protected override async onShutdown(): Promise<void> {}
}

/**
 * The process-wide metrics, measured in the health thread (true from any
 * thread, even while the main one is blocked): process CPU and memory
 * (`@opentelemetry/host-metrics`) and `nodejs_version_info`. With
 * `enabled: false`, a reader with nothing on it.
 */
export async function startProcessMetrics(
  resource: Resource,
  enabled: boolean,
): Promise<{ reader: MetricReader; shutdown(): Promise<void> }> {
  const reader = new PullReader();
  const provider = new MeterProvider({ resource, readers: [reader] });
  if (enabled) {
    const { HostMetrics } = await import('@opentelemetry/host-metrics');
    // Process groups only: the system.network group shells out (`ip route`) on every collection.
    new HostMetrics({ meterProvider: provider, metricGroups: ['process.cpu', 'process.memory'] }).start();
    const [major, minor, patch] = process.versions.node.split('.');
    provider
      .getMeter('@worker-health/exporter')
      .createObservableGauge('nodejs_version_info', { description: 'Node.js version info' })
      .addCallback((result) => result.observe(1, { version: process.version, major, minor, patch }));
  }
  return { reader, shutdown: () => provider.shutdown() };
}

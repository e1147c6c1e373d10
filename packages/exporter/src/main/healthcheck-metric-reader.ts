import { AggregationTemporality, MetricReader } from '@opentelemetry/sdk-metrics';

/**
 * A pull-only `MetricReader` for the application's own `MeterProvider`: give
 * it to the provider (`new MeterProvider({ readers: [reader, …] })`, or
 * `metricReaders` of the NodeSDK) and to `startWorkerHealthcheck({ metricReader })`,
 * and `/metrics` serves the application's metrics beside the healthcheck's.
 *
 * It collects only when `/metrics` is scraped, with cumulative temporality as
 * Prometheus expects, so it takes nothing from other readers such as an OTLP
 * exporter on the same provider.
 */
export class HealthcheckMetricReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }

  protected override async onForceFlush(): Promise<void> {}

  protected override async onShutdown(): Promise<void> {}
}

// The entry `@worker-health/exporter/metric-reader`: the classes that extend
// `MetricReader` of `@opentelemetry/sdk-metrics`. Apart from the main entry so
// that a worker that has no MeterProvider of its own does not load the SDK on
// its main thread for them (about 7 MiB of RSS: BENCHMARKS.md, "Cost").
export { HealthcheckMetricReader } from './main/healthcheck-metric-reader.js';
export { WorkerHealthcheckReader, type WorkerHealthcheckReaderOptions } from './main/worker-healthcheck-reader.js';

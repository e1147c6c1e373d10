// The shape of `healthcheck.sharedMetrics` of @worker-health/exporter: families kept in shared
// memory, so the health thread serves them while the main thread is blocked.
// TODO(sharedMetrics): import these types from @worker-health/exporter once it exports them.

export type Labels = Readonly<Record<string, string>>;

export interface SharedMetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

export interface SharedGauge {
  set(value: number, labels?: Labels): void;
}
export interface SharedCounter {
  add(value: number, labels?: Labels): void;
}
export interface SharedHistogram {
  observe(value: number, labels?: Labels): void;
}
export interface SharedAge {
  reset(labels?: Labels): void;
}

export interface SharedMetrics {
  gauge(options: SharedMetricOptions): SharedGauge;
  counter(options: SharedMetricOptions): SharedCounter;
  histogram(options: SharedMetricOptions & { buckets: readonly number[] }): SharedHistogram;
  age(options: SharedMetricOptions): SharedAge;
}

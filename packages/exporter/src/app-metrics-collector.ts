import type { Attributes } from '@opentelemetry/api';
import type { MetricReader, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { HealthThreadError } from './errors.js';

/** The application's metrics as plain data, to cross to the health thread (structured clone keeps no prototypes). */
export interface AppMetricsSnapshot {
  resourceAttributes: Attributes;
  scopeMetrics: ScopeMetrics[];
  /** `process.hrtime.bigint()` when the collection began: the age a scrape reports counts from here. */
  collectedAt: bigint;
}

/**
 * Main-thread side of the application's metrics: collects the application's
 * reader when the health thread asks (only then: the runtime figures need no
 * asking). Serializing is left to the health thread.
 */
export class AppMetricsCollector {
  private warnedUnbound = false;

  constructor(
    private readonly reader: MetricReader,
    private readonly onError: (error: Error) => void,
  ) {}

  /** The reader's metrics, or null when it could not collect (the thread keeps serving the last ones). */
  async collect(): Promise<AppMetricsSnapshot | null> {
    const collectedAt = process.hrtime.bigint();
    try {
      const { resourceMetrics, errors } = await this.reader.collect();
      for (const error of errors)
        this.onError(new HealthThreadError('collecting the application metrics reported an error', { cause: error }));
      return { resourceAttributes: { ...resourceMetrics.resource.attributes }, scopeMetrics: resourceMetrics.scopeMetrics, collectedAt };
    } catch (error) {
      const unbound = /not bound/i.test(String(error));
      // A reader that no MeterProvider took is the likely mistake: say so once, not at every scrape.
      if (unbound && this.warnedUnbound) return null;
      this.warnedUnbound ||= unbound;
      const message = unbound
        ? 'the metricReader is not registered on a MeterProvider: pass it in `new MeterProvider({ readers: [reader] })`; ' +
          '/metrics serves everything else meanwhile'
        : 'collecting the application metrics failed; /metrics serves the last ones';
      this.onError(new HealthThreadError(message, { cause: error }));
      return null;
    }
  }
}

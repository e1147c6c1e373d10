import type { MetricReader } from '@opentelemetry/sdk-metrics';
import type { AppMetricsSnapshot } from '../shared/messages.js';
import { MetricReaderError } from './errors.js';

/**
 * Main-thread side of the application's metrics: collects the application's
 * reader when the health thread asks (only then: the runtime figures need no
 * asking). Serializing is left to the health thread.
 */
export class AppMetricsCollector {
  private warnedUnbound = false;
  private closed = false;

  constructor(
    private readonly reader: MetricReader,
    private readonly onError: (error: Error) => void,
  ) {}

  /**
   * From now on failures are not reported: the healthcheck is shutting down, and
   * the application may be shutting its provider down too (a collection still
   * in flight then fails, and nobody will be served its result).
   */
  close(): void {
    this.closed = true;
  }

  /** The reader's metrics, or null when it could not collect (the thread keeps serving the last ones). */
  async collect(): Promise<AppMetricsSnapshot | null> {
    const collectedAt = process.hrtime.bigint();
    try {
      const { resourceMetrics, errors } = await this.reader.collect();
      if (this.closed) return null;
      for (const error of errors)
        this.onError(new MetricReaderError('collecting the application metrics reported an error', { cause: error }));
      return { resourceAttributes: { ...resourceMetrics.resource.attributes }, scopeMetrics: resourceMetrics.scopeMetrics, collectedAt };
    } catch (error) {
      if (this.closed) return null;
      const unbound = /not bound/i.test(String(error));
      // A reader that no MeterProvider took is the likely mistake: say so once, not at every scrape.
      if (unbound && this.warnedUnbound) return null;
      this.warnedUnbound ||= unbound;
      const message = unbound
        ? 'the metricReader is not registered on a MeterProvider: pass it in `new MeterProvider({ readers: [reader] })`; ' +
          '/metrics serves everything else meanwhile'
        : 'collecting the application metrics failed; /metrics serves the last ones';
      this.onError(new MetricReaderError(message, { cause: error }));
      return null;
    }
  }
}

import { setImmediate as turn } from 'node:timers/promises';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import type { AppMetricsSnapshot } from '../shared/messages.js';
import { ChunkSink, writeResourceMetrics } from '../shared/prometheus-text.js';
import { MetricReaderError } from './errors.js';

/**
 * Main-thread side of the application's metrics: collects the application's
 * reader when the health thread asks (only then: the runtime figures need no
 * asking), and writes them as Prometheus text here, in chunks, giving the
 * event loop a turn after each. The chunks cross to the health thread by
 * transfer: that thread then has nothing to decode or write for them, so a
 * large page never holds up its probes, and never fills its heap.
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

  /** The reader's metrics as text, or null when it could not collect (the thread keeps serving the last ones). */
  async collect(): Promise<AppMetricsSnapshot | null> {
    const collectedAt = process.hrtime.bigint();
    try {
      const { resourceMetrics, errors } = await this.reader.collect();
      if (this.closed) return null;
      for (const error of errors)
        this.onError(new MetricReaderError('collecting the application metrics reported an error', { cause: error }));
      const sink = new ChunkSink();
      for (const _ of writeResourceMetrics(sink, resourceMetrics, { withTargetInfo: true })) await turn();
      sink.flush();
      const familyNames = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics.map((metric) => metric.descriptor.name));
      return { chunks: sink.chunks, bytes: sink.bytes, familyNames, collectedAt };
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

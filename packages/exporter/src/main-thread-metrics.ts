import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { defaultResource, detectResources, envDetector } from '@opentelemetry/resources';
import { MeterProvider, type MetricReader } from '@opentelemetry/sdk-metrics';
import { HealthcheckMetricReader } from './metric-reader.js';

// Scope info is left out so the worker gauges read exactly as on the seed page (no labels).
const WITH_TARGET_INFO = new PrometheusSerializer(undefined, false, undefined, false, true);
const WITHOUT_TARGET_INFO = new PrometheusSerializer(undefined, false, undefined, true, true);

/**
 * The metrics that only the main thread can measure (event-loop delay and
 * utilization, heap, GC: they are per thread) and the application's own,
 * serialized to Prometheus text on request of the health thread.
 */
export class MainThreadMetrics {
  private provider: MeterProvider | undefined;
  private runtime: RuntimeNodeInstrumentation | undefined;
  private readonly runtimeReader = new HealthcheckMetricReader();

  constructor(
    private readonly appReader: MetricReader | undefined,
    private readonly runtimeMetrics: boolean,
  ) {}

  /** Whether there is anything to collect on the main thread. */
  get enabled(): boolean {
    return this.runtimeMetrics || this.appReader !== undefined;
  }

  async start(): Promise<void> {
    // The provider exists only for the runtime instrumentation; the application's reader has its own.
    if (this.provider || !this.runtimeMetrics) return;
    const resource = defaultResource().merge(detectResources({ detectors: [envDetector] }));
    this.provider = new MeterProvider({ resource, readers: [this.runtimeReader] });
    // Loaded only when wanted: it is most of the main-thread cost of this package.
    const { RuntimeNodeInstrumentation } = await import('@opentelemetry/instrumentation-runtime-node');
    this.runtime = new RuntimeNodeInstrumentation({ monitoringPrecision: 10 });
    this.runtime.setMeterProvider(this.provider);
  }

  /** Runtime metrics, then the application's; one `target_info`, from the application's provider when there is one. */
  async collectText(): Promise<string> {
    let text = '';
    if (this.runtimeMetrics) {
      const runtime = await this.runtimeReader.collect();
      text += (this.appReader ? WITHOUT_TARGET_INFO : WITH_TARGET_INFO).serialize(runtime.resourceMetrics);
    }
    if (this.appReader) text += WITH_TARGET_INFO.serialize((await this.appReader.collect()).resourceMetrics);
    return text;
  }

  async shutdown(): Promise<void> {
    this.runtime?.disable();
    const provider = this.provider;
    this.provider = undefined;
    this.runtime = undefined;
    await provider?.shutdown();
  }
}

import type { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import type { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { HealthcheckMetricReader } from './metric-reader.js';

/**
 * The metrics that only the main thread can measure (event-loop delay and
 * utilization, heap, GC: they are per thread) and the application's own,
 * serialized to Prometheus text on request of the health thread.
 */
export class MainThreadMetrics {
  private provider: MeterProvider | undefined;
  private runtime: RuntimeNodeInstrumentation | undefined;
  private readonly runtimeReader = new HealthcheckMetricReader();
  private serializers: { withTargetInfo: PrometheusSerializer; withoutTargetInfo: PrometheusSerializer } | undefined;

  constructor(
    private readonly appReader: MetricReader | undefined,
    private readonly runtimeMetrics: boolean,
  ) {}

  /** Whether there is anything to collect on the main thread. */
  get enabled(): boolean {
    return this.runtimeMetrics || this.appReader !== undefined;
  }

  async start(): Promise<void> {
    // Loaded only when there is something to serve: a worker that serves just the
    // health gauges (from the thread) does not load the serializer on its main thread.
    if (!this.enabled || this.serializers) return;
    const { PrometheusSerializer } = await import('@opentelemetry/exporter-prometheus');
    // Scope info is left out so the worker gauges read exactly as on the seed page (no labels).
    this.serializers = {
      withTargetInfo: new PrometheusSerializer(undefined, false, undefined, false, true),
      withoutTargetInfo: new PrometheusSerializer(undefined, false, undefined, true, true),
    };
    // The provider exists only for the runtime instrumentation; the application's reader has its own.
    if (!this.runtimeMetrics) return;
    const [{ MeterProvider }, { defaultResource, detectResources, envDetector }, { RuntimeNodeInstrumentation }] = await Promise.all([
      import('@opentelemetry/sdk-metrics'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/instrumentation-runtime-node'),
    ]);
    const resource = defaultResource().merge(detectResources({ detectors: [envDetector] }));
    this.provider = new MeterProvider({ resource, readers: [this.runtimeReader] });
    this.runtime = new RuntimeNodeInstrumentation({ monitoringPrecision: 10 });
    this.runtime.setMeterProvider(this.provider);
  }

  /** Runtime metrics, then the application's; one `target_info`, from the application's provider when there is one. */
  async collectText(): Promise<string> {
    const serializers = this.serializers;
    if (!serializers) return '';
    let text = '';
    if (this.runtimeMetrics) {
      const runtime = await this.runtimeReader.collect();
      text += (this.appReader ? serializers.withoutTargetInfo : serializers.withTargetInfo).serialize(runtime.resourceMetrics);
    }
    if (this.appReader) text += serializers.withTargetInfo.serialize((await this.appReader.collect()).resourceMetrics);
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

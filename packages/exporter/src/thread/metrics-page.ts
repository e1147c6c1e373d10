import type { Attributes } from '@opentelemetry/api';
import type { ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { EVENT_LOOP_LAG_HELP, LISTENER_HEALTH_HELP, type HealthState, type WorkerMetricNames } from '@worker-health/core';
import type { AppMetricsSnapshot } from '../shared/messages.js';
import { ChunkSink, writeResourceMetrics } from '../shared/prometheus-text.js';
import type { AppMetricsRelay } from './app-metrics-relay.js';
import type { MetricsBody } from './health-server.js';
import type { ProcessMetrics } from './process-metrics.js';
import type { RuntimeMetrics } from './runtime-metrics.js';
import type { SharedMetricsText } from './shared-metrics-text.js';

/** What the page is made of; each part but the health gauges is optional. */
export interface MetricsPageOptions {
  state: HealthState;
  gauges: { names: WorkerMetricNames; labels: string };
  /** The families the main thread keeps in shared memory (`WorkerHealthcheck.sharedMetrics`). */
  shared: SharedMetricsText;
  /** Blocks past the threshold and their durations. */
  watchdog: { metricsText(): string };
  /** Process CPU and memory and `nodejs_version_info` (with `defaultMetrics`). */
  process: ProcessMetrics | undefined;
  /** The attributes of `target_info` when the application's resource is not at hand. */
  resourceAttributes: Attributes;
  runtime: RuntimeMetrics | undefined;
  app: AppMetricsRelay<AppMetricsSnapshot> | undefined;
}

const AGE_GAUGE = 'worker_health_main_thread_metrics_age_seconds';
const AGE_HELP = 'Seconds since the oldest main-thread metrics served were recorded (the stall so far while it is blocked)';

/**
 * Health-thread side of `/metrics`. A page is written once for every scrape
 * that asks while it is being written (single flight: a burst of scrapes costs
 * one page, not one per scraper). The application's part arrives from the
 * main thread already written, as chunks that are sent as they are (shared,
 * never copied); this thread writes only its own families, a few kilobytes.
 * The two worker gauges are written directly, so their names are exactly
 * `workerMetricNames()`; the rest as OpenTelemetry's Prometheus serializer
 * writes it. Families the application serves itself (its own runtime
 * instrumentation, say) take precedence over the default ones of the same
 * name, so none is served twice.
 */
export class MetricsPage {
  private readonly startedAt = process.hrtime.bigint();
  private writing: Promise<MetricsBody> | undefined;
  /** Pages written so far (a burst of concurrent scrapes counts once). */
  pagesWritten = 0;

  constructor(private readonly options: MetricsPageOptions) {}

  /** The page: the one being written, or a new one. */
  body(): Promise<MetricsBody> {
    this.writing ??= this.write().finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }

  private async write(): Promise<MetricsBody> {
    const { state, gauges, shared, watchdog, runtime, app } = this.options;
    const appSnapshot = await app?.get();
    // Read after the wait, so the gauges and the runtime figures are as of the answer.
    const at = process.hrtime.bigint();
    const appNames = new Set(appSnapshot?.familyNames);
    const scopes: ScopeMetrics[] = [];
    if (this.options.process) scopes.push({ scope: { name: '@worker-health/exporter/process' }, metrics: this.options.process.metrics() });
    const runtimeSnapshot = runtime?.snapshot();
    if (runtime && runtimeSnapshot) scopes.push(runtime.scopeMetrics(runtimeSnapshot, appNames));
    // The age of the oldest main-thread figures served (before a first recording or collection: since the start).
    const recordedAt: bigint[] = [];
    if (runtime) recordedAt.push(runtimeSnapshot?.recordedAt ?? this.startedAt);
    if (app) recordedAt.push(appSnapshot?.collectedAt ?? this.startedAt);

    const sink = new ChunkSink();
    const healthy = state.status(at) === 'HEALTHY' ? 1 : 0;
    sink.write(gaugeText(gauges.names.listenerHealth, gauges.labels, LISTENER_HEALTH_HELP, healthy));
    sink.write(gaugeText(gauges.names.eventLoopLag, gauges.labels, EVENT_LOOP_LAG_HELP, state.lagSeconds(at)));
    sink.write(watchdog.metricsText());
    sink.write(shared.text(at));
    // With the application's metrics, target_info is theirs (it comes with their chunks).
    const resource = { attributes: this.options.resourceAttributes };
    for (const _ of writeResourceMetrics(sink, { resource, scopeMetrics: scopes }, { withTargetInfo: !appSnapshot, skip: appNames }));
    if (recordedAt.length > 0)
      sink.write(gaugeText(AGE_GAUGE, gauges.labels, AGE_HELP, Math.max(...recordedAt.map((t) => Number(at - t))) / 1e9));
    sink.flush();
    const chunks = appSnapshot ? [...sink.chunks, ...appSnapshot.chunks] : sink.chunks;
    this.pagesWritten++;
    return { chunks, bytes: sink.bytes + (appSnapshot?.bytes ?? 0) };
  }
}

function gaugeText(name: string, labels: string, help: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name}${labels} ${value}\n`;
}

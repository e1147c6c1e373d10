import { ValueType } from '@opentelemetry/api';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type MetricReader,
  type ResourceMetrics,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import { EVENT_LOOP_LAG_HELP, LISTENER_HEALTH_HELP, type HealthState, type WorkerMetricNames } from '@worker-health/core';
import type { AppMetricsSnapshot } from '../shared/messages.js';
import type { AppMetricsRelay } from './app-metrics-relay.js';
import { hrNow, type RuntimeMetrics } from './runtime-metrics.js';

/** What the page is made of; each part but the health gauges is optional. */
export interface MetricsPageOptions {
  state: HealthState;
  gauges: { names: WorkerMetricNames; labels: string };
  /** The thread's own reader: process metrics and `nodejs_version_info`. */
  reader: MetricReader;
  /** `target_info` when the application's resource is not at hand. */
  resource: Resource;
  runtime: RuntimeMetrics | undefined;
  app: AppMetricsRelay<AppMetricsSnapshot> | undefined;
}

const AGE_GAUGE = 'worker_health_main_thread_metrics_age_seconds';
const AGE_HELP = 'Seconds since the oldest main-thread metrics served were recorded (the stall so far while it is blocked)';

// Scope info is left out so the families read as on the seed page; target_info only once.
const withTargetInfo = new PrometheusSerializer(undefined, false, undefined, false, true);
const withoutTargetInfo = new PrometheusSerializer(undefined, false, undefined, true, true);

/**
 * Health-thread side of `/metrics`: every line is written here. The two
 * worker gauges are written directly, so their names are exactly
 * `workerMetricNames()` (the OTel serializer would fold `__` into `_`); the
 * rest goes through the OTel `PrometheusSerializer`. Families the application
 * serves itself (its own runtime instrumentation, say) take precedence over
 * the default ones of the same name, so none is served twice.
 */
export class MetricsPage {
  private readonly startedAt = process.hrtime.bigint();

  constructor(private readonly options: MetricsPageOptions) {}

  async text(): Promise<string> {
    const { state, gauges, reader, resource, runtime, app } = this.options;
    const appSnapshot = await app?.get();
    // Read after the wait, so the gauges and the runtime figures are as of the answer.
    const at = process.hrtime.bigint();
    const own = (await reader.collect()).resourceMetrics;
    const appNames = new Set(appSnapshot?.scopeMetrics.flatMap((scope) => scope.metrics.map((metric) => metric.descriptor.name)));
    const scopes: ScopeMetrics[] = own.scopeMetrics.map((scope) => ({
      scope: scope.scope,
      metrics: scope.metrics.filter((metric) => !appNames.has(metric.descriptor.name)),
    }));
    const runtimeSnapshot = runtime?.snapshot();
    if (runtime && runtimeSnapshot) scopes.push(runtime.scopeMetrics(runtimeSnapshot, appNames));
    // The age of the oldest main-thread figures served (before a first recording or collection: since the start).
    const recordedAt: bigint[] = [];
    if (runtime) recordedAt.push(runtimeSnapshot?.recordedAt ?? this.startedAt);
    if (app) recordedAt.push(appSnapshot?.collectedAt ?? this.startedAt);
    if (recordedAt.length > 0) scopes.push(ageScope(Math.max(...recordedAt.map((t) => Number(at - t))) / 1e9));

    const healthy = state.status(at) === 'HEALTHY' ? 1 : 0;
    const { names, labels } = gauges;
    let text =
      gaugeText(names.listenerHealth, labels, LISTENER_HEALTH_HELP, healthy) +
      gaugeText(names.eventLoopLag, labels, EVENT_LOOP_LAG_HELP, state.lagSeconds(at));
    const ownMetrics: ResourceMetrics = { resource, scopeMetrics: scopes };
    if (appSnapshot) {
      text += serialize(withoutTargetInfo, ownMetrics);
      const appResource = { attributes: appSnapshot.resourceAttributes } as Resource;
      text += serialize(withTargetInfo, { resource: appResource, scopeMetrics: appSnapshot.scopeMetrics });
    } else {
      text += serialize(withTargetInfo, ownMetrics);
    }
    return text;
  }
}

// What the serializer writes in place of families when there are none: not
// a line a page made of several parts should carry.
const NO_METRICS = '# no registered metrics';

function serialize(serializer: PrometheusSerializer, metrics: ResourceMetrics): string {
  const text = serializer.serialize(metrics);
  return text.endsWith(NO_METRICS) ? text.slice(0, -NO_METRICS.length) : text;
}

function gaugeText(name: string, labels: string, help: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name}${labels} ${value}\n`;
}

function ageScope(seconds: number): ScopeMetrics {
  const time = hrNow();
  return {
    scope: { name: '@worker-health/exporter' },
    metrics: [
      {
        descriptor: { name: AGE_GAUGE, description: AGE_HELP, unit: '', valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.GAUGE,
        dataPoints: [{ startTime: time, endTime: time, attributes: {}, value: seconds }],
      },
    ],
  };
}

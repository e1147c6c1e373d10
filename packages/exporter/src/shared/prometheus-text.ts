// The Prometheus text format of OpenTelemetry metric data, written byte for
// byte as `PrometheusSerializer` of `@opentelemetry/exporter-prometheus` 0.223
// writes it with scope info off (the test suite compares the two on a corpus),
// but in slices: a page is produced as a series of chunks of about
// `CHUNK_BYTES` each, so that the side writing it can yield between them and
// the bytes can cross threads by transfer. It is also faster (BENCHMARKS.md,
// "/health while /metrics works", has the scrape times beside both).
//
// Both sides use it: the main thread writes the application's metrics, the
// health thread its own families.
import type { Attributes, AttributeValue, HrTime, ValueType } from '@opentelemetry/api';
import type { AggregationTemporality, DataPointType, Histogram, MetricData, ScopeMetrics } from '@opentelemetry/sdk-metrics';

/** What the writer reads of OpenTelemetry's `ResourceMetrics`: the resource's attributes, and the scopes' metrics. */
export interface MetricsToWrite {
  resource: { attributes: Attributes };
  scopeMetrics: ScopeMetrics[];
}

// The values of OpenTelemetry's enums that metric data carries (the same in 2.x and 3.x; a test holds
// them to the enums). Neither thread imports OpenTelemetry for them: the main thread may have no
// MeterProvider at all, and the health thread makes its own families' data without the SDK.
const HISTOGRAM = 0 as DataPointType.HISTOGRAM;
const GAUGE = 2 as DataPointType.GAUGE;
const SUM = 3 as DataPointType.SUM;
/** `DataPointType` values. */
export const DATA_POINT_TYPES = { HISTOGRAM, GAUGE, SUM } as const;
/** `AggregationTemporality.CUMULATIVE` and `ValueType.DOUBLE`, for metric data made by hand. */
export const CUMULATIVE = 1 as AggregationTemporality.CUMULATIVE;
export const DOUBLE = 1 as ValueType.DOUBLE;

/** Now, as an OpenTelemetry `HrTime`. */
export function hrNow(): HrTime {
  const ms = performance.timeOrigin + performance.now();
  return [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
}

/** About how many bytes a chunk holds (it ends at the first line boundary past this). */
export const CHUNK_BYTES = 64 * 1024;

const encoder = new TextEncoder();

/**
 * Collects text into chunks of about {@link CHUNK_BYTES}, each its own
 * `ArrayBuffer` (so that it can be transferred whole).
 */
export class ChunkSink {
  readonly chunks: Uint8Array[] = [];
  bytes = 0;
  private pending = '';

  write(text: string): void {
    this.pending += text;
    // UTF-16 length is a bound on the chunk, not its size in bytes: close enough to keep slices small.
    if (this.pending.length >= CHUNK_BYTES) this.flush();
  }

  /** Whether a chunk was closed since the last call (the moment to yield). */
  takeFlushed(): boolean {
    const flushed = this.flushed;
    this.flushed = false;
    return flushed;
  }

  private flushed = false;

  /** Closes the chunk under way, if any. */
  flush(): void {
    if (this.pending === '') return;
    const chunk = encoder.encode(this.pending);
    this.pending = '';
    this.chunks.push(chunk);
    this.bytes += chunk.byteLength;
    this.flushed = true;
  }
}

/**
 * Writes `metrics` into `sink`, family by family, as the serializer would:
 * `target_info` first when `withTargetInfo`, then each family. Families whose
 * OpenTelemetry name is in `skip` are left out. Yields after each chunk it
 * closes, so a caller can give its event loop a turn.
 */
export function* writeResourceMetrics(
  sink: ChunkSink,
  metrics: MetricsToWrite,
  options: { withTargetInfo: boolean; skip?: ReadonlySet<string> },
): Generator<void, void, void> {
  if (options.withTargetInfo) sink.write(targetInfoText(metrics.resource.attributes));
  for (const scope of metrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (options.skip?.has(metric.descriptor.name)) continue;
      yield* writeMetric(sink, metric);
    }
  }
}

/** `target_info` of a resource. */
export function targetInfoText(attributes: Attributes): string {
  return `# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info${labels(attributes, '')} 1\n`;
}

/** The Prometheus name of an OpenTelemetry metric, or undefined when nothing valid is left of it (the serializer drops it too). */
export function prometheusName(metric: MetricData): string | undefined {
  let name = sanitizeName(escapeText(metric.descriptor.name));
  if (name === '' || name === '_') return undefined;
  if (name[0]! >= '0' && name[0]! <= '9') name = `_${name}`;
  if (metric.dataPointType === SUM && metric.isMonotonic && !name.endsWith('_total')) name += '_total';
  return name;
}

function* writeMetric(sink: ChunkSink, metric: MetricData): Generator<void, void, void> {
  const name = prometheusName(metric);
  if (name === undefined) return;
  const { description, unit } = metric.descriptor;
  let text = `# HELP ${name} ${escapeText(description || 'description missing')}\n`;
  if (unit) text += `# UNIT ${name} ${escapeText(unit)}\n`;
  text += `# TYPE ${name} ${prometheusType(metric)}\n`;
  sink.write(text);
  if (metric.dataPointType === SUM || metric.dataPointType === GAUGE) {
    for (const point of metric.dataPoints) {
      sink.write(`${name}${labels(point.attributes, '')} ${valueText(point.value)}\n`);
      if (sink.takeFlushed()) yield;
    }
  } else if (metric.dataPointType === HISTOGRAM) {
    for (const point of metric.dataPoints) {
      sink.write(histogramText(name, point.attributes, point.value));
      if (sink.takeFlushed()) yield;
    }
  }
  // Exponential histograms: the serializer writes the header only (and logs that it cannot), so this does too.
}

function histogramText(name: string, attributes: Attributes, histogram: Histogram): string {
  const inner = labelPairs(attributes);
  const plain = inner === '' ? '' : `{${inner}}`;
  let text = '';
  if (histogram.count != null) text += `${name}_count${plain} ${valueText(histogram.count)}\n`;
  if (histogram.sum != null) text += `${name}_sum${plain} ${valueText(histogram.sum)}\n`;
  const { boundaries, counts } = histogram.buckets;
  const before = inner === '' ? `${name}_bucket{le="` : `${name}_bucket{${inner},le="`;
  let cumulative = 0;
  let infinityGiven = false;
  for (let i = 0; i < counts.length; i++) {
    cumulative += counts[i]!;
    const bound = boundaries[i];
    if (bound === undefined && infinityGiven) break;
    if (bound === Infinity) infinityGiven = true;
    text += `${before}${bound === undefined || bound === Infinity ? '+Inf' : String(bound)}"} ${valueText(cumulative)}\n`;
  }
  return text;
}

function prometheusType(metric: MetricData): string {
  switch (metric.dataPointType) {
    case SUM:
      return metric.isMonotonic ? 'counter' : 'gauge';
    case GAUGE:
      return 'gauge';
    case HISTOGRAM:
      return 'histogram';
    default:
      return 'untyped';
  }
}

/** `{k="v",…}` or `''`, with `extra` (already written pairs) appended. */
function labels(attributes: Attributes, extra: string): string {
  const pairs = labelPairs(attributes);
  const all = pairs === '' ? extra : extra === '' ? pairs : `${pairs},${extra}`;
  return all === '' ? '' : `{${all}}`;
}

function labelPairs(attributes: Attributes): string {
  let text = '';
  for (const key of Object.keys(attributes)) {
    text += `${text === '' ? '' : ','}${labelName(key)}="${labelValue(attributes[key])}"`;
  }
  return text;
}

// Attribute keys repeat across series: each is sanitized once (up to a bound, so odd data cannot grow it for ever).
const labelNames = new Map<string, string>();
const MAX_CACHED_LABEL_NAMES = 10_000;

function labelName(key: string): string {
  let name = labelNames.get(key);
  if (name === undefined) {
    name = sanitizeName(key);
    if (labelNames.size < MAX_CACHED_LABEL_NAMES) labelNames.set(key, name);
  }
  return name;
}

const NEEDS_ESCAPE = /[\\\n"]/;

function labelValue(value: AttributeValue | undefined): string {
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  return NEEDS_ESCAPE.test(text) ? escapeText(text).replace(/"/g, '\\"') : text;
}

/** A sample value as Prometheus writes it (`+Inf`, `-Inf`, `NaN`). */
export function valueText(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return `${value}`;
}

function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

const INVALID_NAME_CHARACTERS = /[^a-z0-9_]/gi;
const REPEATED_UNDERSCORES = /_{2,}/g;

function sanitizeName(name: string): string {
  return name.replace(INVALID_NAME_CHARACTERS, '_').replace(REPEATED_UNDERSCORES, '_');
}

/** `{name="value",…}` of string labels, names as given and in their order, values escaped; `''` for none. */
export function labelSetText(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.keys(labels).map((name) => `${name}="${labelValue(labels[name])}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/**
 * The lines of one histogram series in the Prometheus convention: cumulative
 * buckets (`le` last among the labels, `+Inf` last), then `_sum` and `_count`.
 * `counts` holds one count per bound and one for +Inf, not cumulative.
 */
export function histogramSeriesText(
  name: string,
  labels: string,
  bounds: readonly number[],
  counts: ArrayLike<number>,
  sum: number,
): string {
  const inner = labels === '' ? '' : `${labels.slice(1, -1)},`;
  let text = '';
  let cumulative = 0;
  for (let i = 0; i <= bounds.length; i++) {
    cumulative += counts[i]!;
    text += `${name}_bucket{${inner}le="${i < bounds.length ? bounds[i] : '+Inf'}"} ${cumulative}\n`;
  }
  return `${text}${name}_sum${labels} ${valueText(sum)}\n${name}_count${labels} ${cumulative}\n`;
}

/** A `# HELP` text, escaped. */
export function helpText(text: string): string {
  return escapeText(text);
}

/** The whole text of `metrics`, in one string (for small pages and tests). */
export function resourceMetricsText(metrics: MetricsToWrite, options: { withTargetInfo: boolean; skip?: ReadonlySet<string> }): string {
  const sink = new ChunkSink();
  for (const _ of writeResourceMetrics(sink, metrics, options));
  sink.flush();
  return Buffer.concat(sink.chunks).toString('utf8');
}

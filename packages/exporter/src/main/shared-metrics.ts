import { checkNumber, HealthcheckConfigError } from '@worker-health/core';
import {
  SHARED_SERIES_CAPACITY,
  SharedSeriesWriter,
  slotsOf,
  type SharedFamily,
  type SharedFamilyKind,
  type SharedSeries,
  type SharedSeriesState,
} from '../shared/shared-series.js';
import { labelSetText } from '../shared/prometheus-text.js';
import { MetricReaderError } from './errors.js';

/** A label set: label name → value. Its names are exactly the family's `labelNames`. */
export type MetricLabels = Readonly<Record<string, string>>;

/** Options of a shared family. */
export interface SharedMetricOptions {
  /** The Prometheus family name, served exactly as given: `[a-zA-Z_:][a-zA-Z0-9_:]*`; a counter's ends in `_total`. Required. */
  name: string;
  /** The `# HELP` text. Required. */
  help: string;
  /** The label names every series of the family carries, in this order. Default: none. */
  labelNames?: readonly string[];
}

/** Options of a shared histogram. */
export interface SharedHistogramOptions extends SharedMetricOptions {
  /** Upper bounds of the buckets, ascending, finite (`+Inf` is added). Required. */
  buckets: readonly number[];
}

/** A gauge: the value last set. */
export interface SharedGauge {
  set(value: number, labels?: MetricLabels): void;
}

/** A counter: the sum of what was added. */
export interface SharedCounter {
  /** Adds `value` (finite, 0 or more; `add(0, labels)` makes a series appear at 0). */
  add(value: number, labels?: MetricLabels): void;
}

/** A histogram: the count, sum and buckets of what was observed. */
export interface SharedHistogram {
  observe(value: number, labels?: MetricLabels): void;
}

/** A gauge of the seconds since the last `reset()` of the series, computed when `/metrics` is written. */
export interface SharedAge {
  reset(labels?: MetricLabels): void;
}

/**
 * Metric families kept in shared memory: written on the application's thread,
 * served by the health thread, so that they are on `/metrics` also while the
 * application's event loop is blocked (the values as of the block's start).
 * For adapters, such as `@worker-health/hatchet`, whose figures must not wait
 * for the main thread. A series appears on `/metrics` once it is first written.
 *
 * A bad name, a second family of the same name, or labels that are not the
 * family's `labelNames` throw `HealthcheckConfigError`. Writes after the
 * healthcheck's `shutdown()` do nothing. The shared memory holds 4 096 values
 * (a histogram series takes its buckets + 3): a series beyond it is reported
 * once through `onError` and not served.
 */
export interface SharedMetrics {
  gauge(options: SharedMetricOptions): SharedGauge;
  counter(options: SharedMetricOptions): SharedCounter;
  histogram(options: SharedHistogramOptions): SharedHistogram;
  age(options: SharedMetricOptions): SharedAge;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The main-thread registry behind `WorkerHealthcheck.sharedMetrics`. */
export class SharedMetricsRegistry implements SharedMetrics {
  private readonly writer = new SharedSeriesWriter();
  private readonly families: SharedFamily[] = [];
  private readonly series: SharedSeries[] = [];
  private closed = false;
  private warnedFull = false;
  /** Where new descriptions go: the health thread, once it runs (a restarted thread gets them all in its start data). */
  post: ((message: { type: 'shared-family'; family: SharedFamily } | { type: 'shared-series'; series: SharedSeries }) => void) | undefined;

  constructor(private readonly onError: (error: Error) => void) {}

  /** Everything described so far, with the buffer: the start data of a health thread. */
  state(): SharedSeriesState {
    return { buffer: this.writer.buffer, families: [...this.families], series: [...this.series] };
  }

  /** From now on writes do nothing. */
  close(): void {
    this.closed = true;
  }

  gauge(options: SharedMetricOptions): SharedGauge {
    const slotOf = this.family('gauge', options);
    return {
      set: (value, labels) => {
        const slot = this.check(slotOf, labels, () => (typeof value === 'number' ? value : checkNumber('value', value, 'a number')));
        if (slot !== undefined) this.writer.write((values) => (values[slot] = value));
      },
    };
  }

  counter(options: SharedMetricOptions): SharedCounter {
    if (typeof options?.name === 'string' && !options.name.endsWith('_total')) {
      throw new HealthcheckConfigError('name', options.name, 'a counter name that ends in `_total` (the Prometheus convention)');
    }
    const slotOf = this.family('counter', options);
    return {
      add: (value, labels) => {
        const slot = this.check(slotOf, labels, () => checkNumber('value', value, 'a finite number, 0 or more', { min: 0 }));
        if (slot !== undefined) this.writer.write((values) => (values[slot] = values[slot]! + value));
      },
    };
  }

  histogram(options: SharedHistogramOptions): SharedHistogram {
    const buckets = options?.buckets;
    if (
      !Array.isArray(buckets) ||
      buckets.length === 0 ||
      !buckets.every((b, i) => typeof b === 'number' && Number.isFinite(b) && (i === 0 || b > buckets[i - 1]!))
    ) {
      throw new HealthcheckConfigError('buckets', buckets, 'a non-empty list of finite numbers in ascending order (+Inf is added)');
    }
    const slotOf = this.family('histogram', options, [...buckets]);
    return {
      observe: (value, labels) => {
        const slot = this.check(slotOf, labels, () => checkNumber('value', value, 'a finite number'));
        if (slot === undefined) return;
        let bucket = buckets.findIndex((bound) => value <= bound);
        if (bucket === -1) bucket = buckets.length;
        this.writer.write((values) => {
          values[slot + bucket] = values[slot + bucket]! + 1;
          values[slot + buckets.length + 1] = values[slot + buckets.length + 1]! + value;
          values[slot + buckets.length + 2] = values[slot + buckets.length + 2]! + 1;
        });
      },
    };
  }

  age(options: SharedMetricOptions): SharedAge {
    const slotOf = this.family('age', options);
    return {
      reset: (labels) => {
        const slot = this.check(slotOf, labels, () => 0);
        if (slot !== undefined) this.writer.write((_, times) => (times[slot] = process.hrtime.bigint()));
      },
    };
  }

  /** Registers a family; returns the function that finds (or makes) the slot of a label set, or undefined when full. */
  private family(
    kind: SharedFamilyKind,
    options: SharedMetricOptions,
    buckets?: number[],
  ): (labels: MetricLabels | undefined) => number | undefined {
    if (typeof options !== 'object' || options === null) {
      throw new HealthcheckConfigError('options', options, 'an object with `name` and `help`');
    }
    const { name, help } = options;
    if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
      throw new HealthcheckConfigError('name', name, 'a Prometheus metric name: [a-zA-Z_:][a-zA-Z0-9_:]*');
    }
    if (this.families.some((f) => f.name === name)) {
      throw new HealthcheckConfigError('name', name, 'a name no other shared family has');
    }
    if (typeof help !== 'string') throw new HealthcheckConfigError('help', help, 'the HELP text, a string');
    const labelNames = options.labelNames ?? [];
    if (
      !Array.isArray(labelNames) ||
      !labelNames.every((label) => typeof label === 'string' && LABEL_NAME.test(label) && !label.startsWith('__')) ||
      new Set(labelNames).size !== labelNames.length ||
      (kind === 'histogram' && labelNames.includes('le'))
    ) {
      throw new HealthcheckConfigError(
        'labelNames',
        labelNames,
        `distinct label names, each [a-zA-Z_][a-zA-Z0-9_]* not starting with __${kind === 'histogram' ? ', and not le' : ''}`,
      );
    }
    const family: SharedFamily = { id: this.families.length, kind, name, help, ...(buckets ? { buckets } : {}) };
    this.families.push(family);
    this.post?.({ type: 'shared-family', family });
    const slots = new Map<string, number>();
    return (labels) => {
      const text = labelsText(name, labelNames, labels ?? {});
      let slot = slots.get(text);
      if (slot === undefined) {
        slot = this.writer.reserve(slotsOf(family));
        if (slot === undefined) {
          this.full(name);
          return undefined;
        }
        slots.set(text, slot);
        const series: SharedSeries = { familyId: family.id, labels: text, slot };
        this.series.push(series);
        this.post?.({ type: 'shared-series', series });
      }
      return slot;
    };
  }

  /** Checks the value (throws) and finds the series' slot; undefined after close or when full. */
  private check(
    slotOf: (labels: MetricLabels | undefined) => number | undefined,
    labels: MetricLabels | undefined,
    checkValue: () => number,
  ): number | undefined {
    checkValue();
    if (this.closed) return undefined;
    return slotOf(labels);
  }

  private full(name: string): void {
    if (this.warnedFull) return;
    this.warnedFull = true;
    this.onError(
      new MetricReaderError(
        `the shared metrics are full (${SHARED_SERIES_CAPACITY} values): a new series of ${name} is not served; ` +
          'shared families are for a few figures per worker, not for per-request labels',
      ),
    );
  }
}

/** The label set as served, checked against the family's label names. */
function labelsText(family: string, labelNames: readonly string[], labels: MetricLabels): string {
  const given = typeof labels === 'object' && labels !== null ? Object.keys(labels) : undefined;
  if (!given || given.length !== labelNames.length || !labelNames.every((name) => typeof labels[name] === 'string')) {
    throw new HealthcheckConfigError(
      `labels of ${family}`,
      given ? `{${given.join(', ')}}` : labels,
      labelNames.length ? `exactly the labels ${labelNames.join(', ')}, each a string` : 'no labels',
    );
  }
  return labelSetText(Object.fromEntries(labelNames.map((name) => [name, labels[name]!])));
}

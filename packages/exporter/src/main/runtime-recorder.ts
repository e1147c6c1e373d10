import {
  constants,
  monitorEventLoopDelay,
  performance,
  PerformanceObserver,
  type IntervalHistogram,
  type PerformanceEntry,
} from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import {
  GC_DURATION_BOUNDARIES,
  GC_KINDS,
  GC_SLOT,
  GC_SLOTS,
  RuntimeFiguresWriter,
  type EventLoopDelay,
  type SharedRuntimeFigures,
} from '../shared/runtime-figures.js';

/** How often the main thread records its figures, in milliseconds: the age of the served runtime figures stays under it. */
export const RECORDING_INTERVAL_MS = 1_000;

/** Options of {@link RuntimeRecorder}. */
export interface RuntimeRecorderOptions {
  /** Observe garbage collections (`v8js_gc_duration`). Default `false`: the observer costs an allocation-heavy worker (BENCHMARKS.md). */
  gc?: boolean;
}

const GC_KIND_INDEX = new Map<number, number>([
  [constants.NODE_PERFORMANCE_GC_MAJOR, 0],
  [constants.NODE_PERFORMANCE_GC_MINOR, 1],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 2],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 3],
]);

// One event-loop-delay histogram per process, kept for its life and enabled
// while a recorder runs. Each histogram holds about 1 MiB of native memory that
// is freed only when a full GC collects its small JS wrapper: one per start
// left start/stop churn growing the process without bound (bench/churn.mjs).
let sharedHistogram: { histogram: IntervalHistogram; users: number } | undefined;
/** Sampling period of the event-loop delay histogram, in milliseconds: that of instrumentation-runtime-node. */
const DELAY_RESOLUTION_MS = 10;

function acquireHistogram(): IntervalHistogram {
  sharedHistogram ??= { histogram: monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS }), users: 0 };
  if (sharedHistogram.users++ === 0) {
    sharedHistogram.histogram.reset();
    sharedHistogram.histogram.enable();
  }
  return sharedHistogram.histogram;
}

function releaseHistogram(histogram: IntervalHistogram): void {
  if (sharedHistogram?.histogram !== histogram) return;
  if (--sharedHistogram.users === 0) histogram.disable();
}

/**
 * Main-thread side of the runtime metrics: what only this thread can measure
 * (event-loop delay and utilization, heap spaces, GC, active resources) is
 * recorded into shared memory on a timer of its own, so that a scrape asks
 * this thread for nothing. The health thread turns the figures into the
 * families of `@opentelemetry/instrumentation-runtime-node`.
 */
export class RuntimeRecorder {
  private readonly writer = new RuntimeFiguresWriter();
  private readonly gc = GC_KINDS.map(() => new Float64Array(GC_SLOTS));
  private readonly observeGc: boolean;
  private histogram: IntervalHistogram | undefined;
  private observer: PerformanceObserver | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: RuntimeRecorderOptions = {}) {
    this.observeGc = options.gc ?? false;
  }

  /** What the health thread reads. */
  get shared(): SharedRuntimeFigures {
    return this.writer.shared;
  }

  /** Starts measuring and records once at once. Calling it again does nothing. */
  start(): void {
    if (this.timer) return;
    this.histogram = acquireHistogram();
    if (this.observeGc) {
      this.observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) this.recordGc(entry);
      });
      this.observer.observe({ entryTypes: ['gc'] });
    }
    this.record();
    this.timer = setInterval(() => this.record(), RECORDING_INTERVAL_MS);
    this.timer.unref(); // never keeps the process alive by itself
  }

  /** Stops the timer, the histogram and the GC observer. Idempotent. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.histogram) releaseHistogram(this.histogram);
    this.histogram = undefined;
    this.observer?.disconnect();
    this.observer = undefined;
  }

  private record(): void {
    const histogram = this.histogram;
    if (!histogram) return;
    const { idle, active } = performance.eventLoopUtilization();
    this.writer.write(
      {
        eventLoopDelay: delayOf(histogram),
        eventLoopTime: { idle, active },
        heapSpaces: getHeapSpaceStatistics(),
        activeResources: countResources(process.getActiveResourcesInfo()),
        gc: this.gc,
      },
      process.hrtime.bigint(),
    );
    // The delay figures cover the time since the previous scrape, to the
    // recording: once a scrape has served them, the histogram starts anew
    // after this recording (which stands until the next one).
    if (this.writer.takeDelayServed()) histogram.reset();
  }

  private recordGc(entry: PerformanceEntry): void {
    const kind = GC_KIND_INDEX.get((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1);
    if (kind === undefined) return;
    const slots = this.gc[kind]!;
    const seconds = entry.duration / 1000;
    slots[GC_SLOT.count]! += 1;
    slots[GC_SLOT.sum]! += seconds;
    const bucket = GC_DURATION_BOUNDARIES.findIndex((bound) => seconds <= bound);
    slots[GC_SLOT.firstBucket + (bucket === -1 ? GC_DURATION_BOUNDARIES.length : bucket)]! += 1;
  }
}

function delayOf(histogram: IntervalHistogram): EventLoopDelay {
  const seconds = (ns: number) => (Number.isNaN(ns) ? 0 : ns / 1e9);
  return {
    count: histogram.count,
    min: seconds(histogram.min),
    max: seconds(histogram.max),
    mean: seconds(histogram.mean),
    stddev: seconds(histogram.stddev),
    p50: seconds(histogram.percentile(50)),
    p90: seconds(histogram.percentile(90)),
    p99: seconds(histogram.percentile(99)),
  };
}

function countResources(types: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of types) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

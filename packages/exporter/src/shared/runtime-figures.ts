// The main thread's runtime figures in a SharedArrayBuffer: written by the
// main thread on its own cadence (runtime-recorder.ts), read by the health
// thread at each scrape (runtime-metrics.ts) without asking the main thread
// for anything. A sequence counter (odd while a write is under way) lets the
// reader take a consistent copy.

/** What crosses to the health thread (in `workerData`) to read the figures there. */
export interface SharedRuntimeFigures {
  readonly buffer: SharedArrayBuffer;
}

/** Upper bounds of `v8js_gc_duration`, in seconds: those of `@opentelemetry/instrumentation-runtime-node`. */
export const GC_DURATION_BOUNDARIES = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] as const;
/** GC kinds, indexed by `perf_hooks.constants.NODE_PERFORMANCE_GC_*` bit position. */
export const GC_KINDS = ['major', 'minor', 'incremental', 'weakcb'] as const;

const MAX_HEAP_SPACES = 16;
const MAX_RESOURCE_TYPES = 32;
/** Where a GC kind's figures sit among its slots: count, sum, then one count per bucket and +Inf. */
export const GC_SLOT = { count: 0, sum: 1, firstBucket: 2 } as const;
/** Slots per GC kind. */
export const GC_SLOTS = GC_SLOT.firstBucket + GC_DURATION_BOUNDARIES.length + 1;

// The buffer, in order (every offset named; a figure is read and written only through its name):
//   Int32 header (16 bytes): sequence (odd while a write is under way), names length, names version, delay-served flag
//   BigInt64: recording time (process.hrtime.bigint() of the main thread)
//   Float64 figures, at the F_* indexes below
//   names: UTF-8 JSON of the heap-space and resource-type names, NAMES_BYTES long at most
const I32_SEQ = 0;
const I32_NAMES_LENGTH = 1;
const I32_NAMES_VERSION = 2;
const I32_DELAY_SERVED = 3;
const HEADER_BYTES = 16;
const RECORDED_AT_OFFSET = HEADER_BYTES;
const F64_OFFSET = RECORDED_AT_OFFSET + 8;
/** Event-loop delay, in seconds, in the order of {@link DELAY_FIELDS}. */
const F_DELAY = 0;
const DELAY_FIELDS = ['count', 'min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'] as const;
/** Cumulative event-loop time, in milliseconds. */
const F_ELU_IDLE = F_DELAY + DELAY_FIELDS.length;
const F_ELU_ACTIVE = F_ELU_IDLE + 1;
/** Per heap space, {@link HEAP_FIELDS} figures. */
const F_HEAP = F_ELU_ACTIVE + 1;
const HEAP_FIELDS = 4; // size, used, available, physical
const HEAP_SIZE = 0;
const HEAP_USED = 1;
const HEAP_AVAILABLE = 2;
const HEAP_PHYSICAL = 3;
/** Per resource type, its count. */
const F_RESOURCES = F_HEAP + MAX_HEAP_SPACES * HEAP_FIELDS;
/** Per GC kind, {@link GC_SLOTS} figures: count, sum, then the bucket counts. */
const F_GC = F_RESOURCES + MAX_RESOURCE_TYPES;
const F64_COUNT = F_GC + GC_KINDS.length * GC_SLOTS;
const NAMES_OFFSET = F64_OFFSET + F64_COUNT * 8;
const NAMES_BYTES = 4096;
const BYTES = NAMES_OFFSET + NAMES_BYTES;

/** Event-loop delay over the time since the last scrape, in seconds (as `monitorEventLoopDelay` reports it). */
export interface EventLoopDelay {
  count: number;
  min: number;
  max: number;
  mean: number;
  stddev: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface HeapSpace {
  name: string;
  size: number;
  used: number;
  available: number;
  physical: number;
}

export interface GcDurations {
  kind: (typeof GC_KINDS)[number];
  count: number;
  sum: number;
  /** Count per bucket of {@link GC_DURATION_BOUNDARIES}, then +Inf (not cumulative). */
  buckets: number[];
}

/** One consistent reading of the main thread's runtime figures. */
export interface RuntimeFiguresSnapshot {
  /** `process.hrtime.bigint()` of the main thread when it recorded them; 0n before the first recording. */
  recordedAt: bigint;
  eventLoopDelay: EventLoopDelay;
  /** Cumulative event-loop time, in milliseconds (`performance.eventLoopUtilization()`). */
  eventLoopTime: { idle: number; active: number };
  heapSpaces: HeapSpace[];
  /** Active resources keeping the loop alive, by type; types seen once stay, at 0. */
  activeResources: Array<{ type: string; count: number }>;
  /** Cumulative GC durations by kind, only kinds seen. */
  gc: GcDurations[];
}

/** The figures as the main thread writes them. */
export interface RuntimeFiguresRecord {
  eventLoopDelay: EventLoopDelay;
  eventLoopTime: { idle: number; active: number };
  heapSpaces: ReadonlyArray<{
    space_name: string;
    space_size: number;
    space_used_size: number;
    space_available_size: number;
    physical_space_size: number;
  }>;
  activeResources: ReadonlyMap<string, number>;
  /** Per kind (index as {@link GC_KINDS}): count, sum, then bucket counts. */
  gc: readonly Float64Array[];
}

interface Views {
  header: Int32Array;
  recordedAt: BigInt64Array;
  figures: Float64Array;
  names: Uint8Array;
}

function views(shared: SharedRuntimeFigures): Views {
  const { buffer } = shared;
  if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength !== BYTES) {
    throw new TypeError('expected the `shared` object of RuntimeFiguresWriter');
  }
  return {
    header: new Int32Array(buffer, 0, HEADER_BYTES / 4),
    recordedAt: new BigInt64Array(buffer, RECORDED_AT_OFFSET, 1),
    figures: new Float64Array(buffer, F64_OFFSET, F64_COUNT),
    names: new Uint8Array(buffer, NAMES_OFFSET, NAMES_BYTES),
  };
}

/** Main-thread side: writes records into a new shared buffer. */
export class RuntimeFiguresWriter {
  readonly shared: SharedRuntimeFigures = { buffer: new SharedArrayBuffer(BYTES) };
  private readonly views = views(this.shared);
  private names = { spaces: [] as string[], resources: [] as string[] };
  private readonly encoder = new TextEncoder();

  /** Whether the health thread has served the delay figures since the last {@link write} (then the histogram starts anew). */
  takeDelayServed(): boolean {
    return Atomics.exchange(this.views.header, I32_DELAY_SERVED, 0) === 1;
  }

  write(record: RuntimeFiguresRecord, at: bigint): void {
    const { header, recordedAt, figures } = this.views;
    Atomics.add(header, I32_SEQ, 1);
    try {
      recordedAt[0] = at;
      for (const [i, field] of DELAY_FIELDS.entries()) figures[F_DELAY + i] = record.eventLoopDelay[field];
      figures[F_ELU_IDLE] = record.eventLoopTime.idle;
      figures[F_ELU_ACTIVE] = record.eventLoopTime.active;
      const spaces = record.heapSpaces.slice(0, MAX_HEAP_SPACES);
      for (const [i, s] of spaces.entries()) {
        const at = F_HEAP + i * HEAP_FIELDS;
        figures[at + HEAP_SIZE] = s.space_size;
        figures[at + HEAP_USED] = s.space_used_size;
        figures[at + HEAP_AVAILABLE] = s.space_available_size;
        figures[at + HEAP_PHYSICAL] = s.physical_space_size;
      }
      let namesChanged = spaces.length !== this.names.spaces.length || spaces.some((s, i) => s.space_name !== this.names.spaces[i]);
      if (namesChanged) this.names.spaces = spaces.map((s) => s.space_name);
      for (const type of record.activeResources.keys()) {
        if (!this.names.resources.includes(type) && this.names.resources.length < MAX_RESOURCE_TYPES) {
          this.names.resources.push(type);
          namesChanged = true;
        }
      }
      for (const [i, type] of this.names.resources.entries()) figures[F_RESOURCES + i] = record.activeResources.get(type) ?? 0;
      for (const [kind, slots] of record.gc.entries()) figures.set(slots, F_GC + kind * GC_SLOTS);
      if (namesChanged) this.writeNames();
    } finally {
      Atomics.add(header, I32_SEQ, 1);
    }
  }

  private writeNames(): void {
    const { header, names } = this.views;
    // Names that do not fit are dropped from the end, so the JSON always parses.
    let bytes = this.encoder.encode(JSON.stringify(this.names));
    while (bytes.length > NAMES_BYTES && this.names.resources.length > 0) {
      this.names.resources.pop();
      bytes = this.encoder.encode(JSON.stringify(this.names));
    }
    names.set(bytes.subarray(0, NAMES_BYTES));
    Atomics.store(header, I32_NAMES_LENGTH, Math.min(bytes.length, NAMES_BYTES));
    Atomics.add(header, I32_NAMES_VERSION, 1);
  }
}

/** Health-thread side: consistent copies of what the main thread last wrote. */
export class RuntimeFiguresReader {
  private readonly views: Views;
  private readonly decoder = new TextDecoder();
  private namesVersion = -1;
  private names = { spaces: [] as string[], resources: [] as string[] };
  private last: RuntimeFiguresSnapshot | undefined;

  constructor(shared: SharedRuntimeFigures) {
    this.views = views(shared);
  }

  /** Marks the delay figures as served: the main thread starts its histogram anew at its next recording. */
  markDelayServed(): void {
    Atomics.store(this.views.header, I32_DELAY_SERVED, 1);
  }

  /** The figures as last written; the previous reading if a write never settles (it takes microseconds). */
  read(): RuntimeFiguresSnapshot | undefined {
    const { header } = this.views;
    for (let attempt = 0; attempt < 1_000; attempt++) {
      const before = Atomics.load(header, I32_SEQ);
      if (before % 2 === 1) continue;
      const version = Atomics.load(header, I32_NAMES_VERSION);
      const names = version === this.namesVersion ? this.names : this.readNames();
      const snapshot = names && this.copy(names);
      if (snapshot && Atomics.load(header, I32_SEQ) === before) {
        this.names = names!;
        this.namesVersion = version;
        this.last = snapshot;
        return snapshot;
      }
    }
    return this.last;
  }

  /** The names as written; undefined when caught mid-write. */
  private readNames(): { spaces: string[]; resources: string[] } | undefined {
    const length = Atomics.load(this.views.header, I32_NAMES_LENGTH);
    if (length === 0) return { spaces: [], resources: [] };
    try {
      return JSON.parse(this.decoder.decode(this.views.names.slice(0, length))) as { spaces: string[]; resources: string[] };
    } catch {
      return undefined;
    }
  }

  private copy(names: { spaces: string[]; resources: string[] }): RuntimeFiguresSnapshot {
    const { recordedAt } = this.views;
    const f = this.views.figures.slice();
    const gc: GcDurations[] = [];
    GC_KINDS.forEach((kind, i) => {
      const base = F_GC + i * GC_SLOTS;
      if (f[base + GC_SLOT.count]! > 0) {
        gc.push({
          kind,
          count: f[base + GC_SLOT.count]!,
          sum: f[base + GC_SLOT.sum]!,
          buckets: Array.from(f.subarray(base + GC_SLOT.firstBucket, base + GC_SLOTS)),
        });
      }
    });
    const eventLoopDelay = {} as EventLoopDelay;
    for (const [i, field] of DELAY_FIELDS.entries()) eventLoopDelay[field] = f[F_DELAY + i]!;
    return {
      recordedAt: recordedAt[0]!,
      eventLoopDelay,
      eventLoopTime: { idle: f[F_ELU_IDLE]!, active: f[F_ELU_ACTIVE]! },
      heapSpaces: names.spaces.map((name, i) => {
        const at = F_HEAP + i * HEAP_FIELDS;
        return {
          name,
          size: f[at + HEAP_SIZE]!,
          used: f[at + HEAP_USED]!,
          available: f[at + HEAP_AVAILABLE]!,
          physical: f[at + HEAP_PHYSICAL]!,
        };
      }),
      activeResources: names.resources.map((type, i) => ({ type, count: f[F_RESOURCES + i]! })),
      gc,
    };
  }
}

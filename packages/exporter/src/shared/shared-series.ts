// Families whose values live in a SharedArrayBuffer: written by the main
// thread (main/shared-metrics.ts), served by the health thread
// (thread/shared-metrics-text.ts), also while the main thread is blocked. The
// families and series themselves are described once, in messages (and in the
// thread's start data, so that a restarted thread has them all); only values
// go through the buffer.
//
// The buffer, in order (8-byte slots):
//   slot 0: Int32 sequence counter (odd while a write is under way), then padding
//   slots 1…CAPACITY: the values, as Float64, except an age's, which is a BigInt64
//   (process.hrtime.bigint() of its last reset).

/** Slots for values (a gauge, counter or age series takes one; a histogram series its buckets + 3). */
export const SHARED_SERIES_CAPACITY = 4_096;
const FIRST_SLOT = 1;
const BYTES = (FIRST_SLOT + SHARED_SERIES_CAPACITY) * 8;

export type SharedFamilyKind = 'gauge' | 'counter' | 'histogram' | 'age';

/** A family, as described to the health thread. */
export interface SharedFamily {
  id: number;
  kind: SharedFamilyKind;
  name: string;
  help: string;
  /** Upper bounds of a histogram's buckets (without +Inf), ascending. */
  buckets?: number[];
}

/** A series of a family, as described to the health thread: its label set, written, and its first slot. */
export interface SharedSeries {
  familyId: number;
  /** `''` or `{name="value",…}`, escaped. */
  labels: string;
  /** A histogram's slots, from here: one count per bucket and +Inf (not cumulative), then sum, then count. */
  slot: number;
}

/** What crosses to the health thread at its start: the buffer and everything described so far. */
export interface SharedSeriesState {
  buffer: SharedArrayBuffer;
  families: SharedFamily[];
  series: SharedSeries[];
}

/** Slots a series of `family` takes. */
export function slotsOf(family: Pick<SharedFamily, 'kind' | 'buckets'>): number {
  return family.kind === 'histogram' ? (family.buckets?.length ?? 0) + 3 : 1;
}

interface Views {
  seq: Int32Array;
  values: Float64Array;
  times: BigInt64Array;
}

function views(buffer: SharedArrayBuffer): Views {
  if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength !== BYTES) {
    throw new TypeError('expected the buffer of a SharedSeriesWriter');
  }
  return { seq: new Int32Array(buffer, 0, 1), values: new Float64Array(buffer), times: new BigInt64Array(buffer) };
}

/** Main-thread side: the one writer of the values. */
export class SharedSeriesWriter {
  readonly buffer = new SharedArrayBuffer(BYTES);
  private readonly views = views(this.buffer);
  private next = FIRST_SLOT;

  /** Reserves `count` slots; undefined when they do not fit. */
  reserve(count: number): number | undefined {
    if (this.next + count > FIRST_SLOT + SHARED_SERIES_CAPACITY) return undefined;
    const slot = this.next;
    this.next += count;
    return slot;
  }

  /** Runs `write` with the sequence odd, so that a reader never takes a half-written histogram. */
  write(write: (values: Float64Array, times: BigInt64Array) => void): void {
    const { seq, values, times } = this.views;
    Atomics.add(seq, 0, 1);
    try {
      write(values, times);
    } finally {
      Atomics.add(seq, 0, 1);
    }
  }
}

/** Health-thread side: consistent copies of the values. */
export class SharedSeriesReader {
  private readonly views: Views;

  constructor(buffer: SharedArrayBuffer) {
    this.views = views(buffer);
  }

  /** A copy of the values (Float64 and BigInt64 views of it) taken between writes; the last attempt's if writes never pause. */
  read(): { values: Float64Array; times: BigInt64Array } {
    const { seq, values } = this.views;
    let copy = values.slice();
    for (let attempt = 0; attempt < 100; attempt++) {
      const before = Atomics.load(seq, 0);
      if (before % 2 === 1) continue;
      copy = values.slice();
      if (Atomics.load(seq, 0) === before) break;
    }
    return { values: copy, times: new BigInt64Array(copy.buffer) };
  }
}

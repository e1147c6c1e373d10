import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RuntimeFiguresReader, RuntimeFiguresWriter, GC_SLOTS, type RuntimeFiguresRecord } from '../src/shared/runtime-figures.js';
import { RuntimeRecorder } from '../src/main/runtime-recorder.js';

const record = (overrides: Partial<RuntimeFiguresRecord> = {}): RuntimeFiguresRecord => ({
  eventLoopDelay: { count: 7, min: 0.01, max: 0.2, mean: 0.02, stddev: 0.001, p50: 0.011, p90: 0.015, p99: 0.19 },
  eventLoopTime: { idle: 900, active: 100 },
  heapSpaces: [
    { space_name: 'new_space', space_size: 1, space_used_size: 2, space_available_size: 3, physical_space_size: 4 },
    { space_name: 'old_space', space_size: 5, space_used_size: 6, space_available_size: 7, physical_space_size: 8 },
  ],
  activeResources: new Map([['Timeout', 2]]),
  gc: [0, 1, 2, 3].map((kind) => Float64Array.from({ length: GC_SLOTS }, (_, i) => (kind === 1 ? ([3, 0.006, 1, 2][i] ?? 0) : 0))),
  ...overrides,
});

describe('runtime figures in shared memory', () => {
  it('reads back what the main thread wrote, names included, on another view of the same buffer', () => {
    const writer = new RuntimeFiguresWriter();
    const reader = new RuntimeFiguresReader(writer.shared);
    assert.equal(reader.read()?.recordedAt, 0n, 'nothing recorded yet');
    writer.write(record(), 123n);
    const snapshot = reader.read()!;
    assert.equal(snapshot.recordedAt, 123n);
    assert.deepEqual(snapshot.eventLoopDelay, record().eventLoopDelay);
    assert.deepEqual(snapshot.eventLoopTime, { idle: 900, active: 100 });
    assert.deepEqual(
      snapshot.heapSpaces.map((s) => [s.name, s.used]),
      [
        ['new_space', 2],
        ['old_space', 6],
      ],
    );
    assert.deepEqual(snapshot.activeResources, [{ type: 'Timeout', count: 2 }]);
    assert.deepEqual(
      snapshot.gc.map((g) => [g.kind, g.count, g.sum, g.buckets[0], g.buckets[1]]),
      [['minor', 3, 0.006, 1, 2]],
    );
  });

  it('keeps a resource type seen once, at 0 when it is gone', () => {
    const writer = new RuntimeFiguresWriter();
    const reader = new RuntimeFiguresReader(writer.shared);
    writer.write(record(), 1n);
    writer.write(record({ activeResources: new Map([['TCPSocketWrap', 1]]) }), 2n);
    assert.deepEqual(reader.read()!.activeResources, [
      { type: 'Timeout', count: 0 },
      { type: 'TCPSocketWrap', count: 1 },
    ]);
  });

  it('passes the served mark from the reader to the writer once', () => {
    const writer = new RuntimeFiguresWriter();
    const reader = new RuntimeFiguresReader(writer.shared);
    assert.equal(writer.takeDelayServed(), false);
    reader.markDelayServed();
    assert.equal(writer.takeDelayServed(), true);
    assert.equal(writer.takeDelayServed(), false);
  });
});

describe('RuntimeRecorder', () => {
  it('start/stop churn reuses one event-loop-delay histogram per process (each holds ~1 MiB until a full GC)', () => {
    const histograms = new Set<unknown>();
    for (let i = 0; i < 5; i++) {
      const recorder = new RuntimeRecorder();
      recorder.start();
      histograms.add((recorder as unknown as { histogram: unknown }).histogram);
      recorder.stop();
    }
    assert.equal(histograms.size, 1);
  });

  it('records at start and leaves no timer behind', () => {
    const recorder = new RuntimeRecorder();
    recorder.start();
    const snapshot = new RuntimeFiguresReader(recorder.shared).read()!;
    assert.ok(snapshot.recordedAt > 0n);
    assert.ok(snapshot.heapSpaces.some((s) => s.name === 'old_space' && s.used > 0));
    recorder.stop();
    recorder.stop();
    assert.equal((recorder as unknown as { timer: unknown }).timer, undefined);
  });
});

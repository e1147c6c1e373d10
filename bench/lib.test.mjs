import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectedBreakdown, fittedGrowth, largestStray, startTarget } from './lib.mjs';

describe('fittedGrowth', () => {
  it('gives back the rise of readings on a line, from the first to the last', () => {
    assert.equal(fittedGrowth([60, 60.5, 61, 61.5, 62]), 2);
    assert.equal(fittedGrowth([5, 3]), -2);
  });

  it('reads readings that move about a level as no growth, where last minus first would not', () => {
    assert.ok(Math.abs(fittedGrowth([65, 66, 64, 65, 64, 66, 65])) < 1e-12);
    // The last reading 2 MB over the first, about a level of 65: the line rises 0.57.
    assert.equal(fittedGrowth([64, 66, 65, 65, 64, 66]).toFixed(2), '0.57');
  });

  it('refuses fewer than two readings, saying how many it got', () => {
    assert.throws(() => fittedGrowth([1]), /1 reading\(s\) given; at least 2 are needed/);
  });
});

describe('largestStray', () => {
  it('is 0 for readings on a line, rising or not', () => {
    assert.ok(largestStray([60, 60.5, 61, 61.5, 62]) < 1e-12);
    assert.ok(largestStray([7, 7, 7]) < 1e-12);
  });

  it('gives the distance of the reading farthest from the fitted line', () => {
    // Flat line at 2/3: the middle reading is 4/3 above it.
    assert.ok(Math.abs(largestStray([0, 2, 0]) - 4 / 3) < 1e-12);
    // A jump at the end pulls the line up, past the reading before it: that one is the farthest, 1.6 under it.
    assert.equal(largestStray([0, 0, 0, 4]).toFixed(2), '1.60');
  });
});

describe('collectedBreakdown', () => {
  it('gives the heaps after a GC of both threads, and refuses a health thread that did not collect', async () => {
    const collected = await startTarget('package-stats', { BENCH_THREAD_GC: '1' });
    const plain = await startTarget('package-stats');
    try {
      const gc = await collectedBreakdown(collected);
      assert.equal(gc.thread.collected, true);
      assert.ok(gc.thread.used > 0 && gc.main.used > 0, 'both heaps measured');
      await assert.rejects(collectedBreakdown(plain), /the health thread did not collect its heap; .*BENCH_THREAD_GC/);
    } finally {
      await Promise.all([collected.stop(), plain.stop()]);
    }
  });
});

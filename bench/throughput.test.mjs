// The side-by-side throughput's estimator (throughput.mjs): from windows whose rates are made of known
// parts, it must give back each row's effect exactly, whatever the machine and the processes did.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rowRatios } from './throughput.mjs';

const ROWS = ['nothing', 'nothing2', 'floor', 'defaults'];
const EFFECT = { nothing: 1, nothing2: 1, floor: 0.995, defaults: 0.98 };

/** A Latin square of windows: rate = machine speed at that moment × the process's own speed × its row's effect. */
function square({ processSpeed, machine }) {
  const n = ROWS.length;
  return Array.from({ length: n }, (_, j) => {
    const rows = Array.from({ length: n }, (_, i) => ROWS[(i + j) % n]);
    const cycles = Array.from({ length: 3 }, (_, c) => rows.map((key, i) => machine(j, c, i) * processSpeed[i] * EFFECT[key]));
    return { rows, cycles };
  });
}

const close = (actual, expected) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} vs ${expected}`);

describe('rowRatios', () => {
  it('gives back each row against nothing when processes differ in speed and the machine drifts between cycles', () => {
    const ratios = rowRatios(square({ processSpeed: [1, 1.08, 0.93, 1.02], machine: (j, c) => 1 + 0.15 * Math.sin(7 * j + 3 * c) }));
    for (const key of ROWS) close(ratios[key], EFFECT[key]);
  });

  it("counts a row's effect whichever process ran it: a slow process running the floor in one phase does not make the floor slow", () => {
    // Process 2 is 5 % slower than the rest; in the square it runs each row once.
    const ratios = rowRatios(square({ processSpeed: [1, 1, 0.95, 1], machine: () => 1 }));
    close(ratios.floor, EFFECT.floor);
    close(ratios.nothing2, 1);
  });
});

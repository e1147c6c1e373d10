import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppMetricsRelay } from '../src/thread/app-metrics-relay.js';

interface Snap {
  text: string;
  collectedAt: bigint;
}
const snap = (text: string, collectedAt = process.hrtime.bigint()): Snap => ({ text, collectedAt });

describe('AppMetricsRelay (health-thread side of the application metrics)', () => {
  it('serves a fresh answer when the main thread replies in time', async () => {
    const requests: number[] = [];
    const relay = new AppMetricsRelay<Snap>((id) => {
      requests.push(id);
      setTimeout(() => relay.receive(id, snap(`text ${id}\n`)), 5);
    }, 200);
    assert.equal((await relay.get())?.text, 'text 1\n');
    assert.equal((await relay.get())?.text, 'text 2\n');
    assert.deepEqual(requests, [1, 2]);
  });

  it('coalesces: one request in flight however many scrapes wait on it', async () => {
    const requests: number[] = [];
    const relay = new AppMetricsRelay<Snap>((id) => requests.push(id), 100);
    const waiting = [relay.get(), relay.get(), relay.get()];
    relay.receive(1, snap('one\n'));
    assert.deepEqual(
      (await Promise.all(waiting)).map((s) => s?.text),
      ['one\n', 'one\n', 'one\n'],
    );
    assert.deepEqual(requests, [1]);
  });

  it('gives the last snapshot after the deadline, and at once while the stall lasts', async () => {
    let answer = true;
    const relay = new AppMetricsRelay<Snap>((id) => answer && relay.receive(id, snap(`snapshot ${id}\n`)), 100);
    assert.equal((await relay.get())?.text, 'snapshot 1\n');
    answer = false; // the main thread stalls
    const started = performance.now();
    assert.equal((await relay.get())?.text, 'snapshot 1\n');
    const waited = performance.now() - started;
    assert.ok(waited >= 90, `waited the deadline (${waited} ms)`);
    // Not waited for again: answered before any timer or I/O callback could run (no wall-clock bound).
    const next = relay.get();
    const first = await Promise.race([next.then(() => 'answered'), new Promise((r) => setImmediate(r, 'waited'))]);
    assert.equal(first, 'answered', 'a request older than the deadline is not waited for again');
    assert.equal((await next)?.text, 'snapshot 1\n');
    relay.receive(2, snap('late\n')); // the main thread answers when the stall ends
    assert.equal((await relay.get())?.text, 'late\n', 'the late answer becomes the snapshot');
  });

  it('keeps the last snapshot when the main thread fails to collect, and has none before the first answer', async () => {
    const relay = new AppMetricsRelay<Snap>((id) => relay.receive(id, id === 1 ? snap('good\n') : null), 100);
    assert.equal((await relay.get())?.text, 'good\n');
    assert.equal((await relay.get())?.text, 'good\n');
    const silent = new AppMetricsRelay<Snap>(() => {}, 20);
    assert.equal(await silent.get(), undefined);
  });

  it('keeps the newest collection and its collection time, so the age served is true to when it was collected', async () => {
    const relay = new AppMetricsRelay<Snap>(() => {}, 20);
    const old = snap('old\n', 1_000n);
    const newer = snap('newer\n', 2_000n);
    void relay.get();
    relay.receive(1, newer);
    void relay.get();
    relay.receive(2, old); // a slow collection that began earlier but answered later
    assert.deepEqual(await relay.get(), newer);
  });

  it('ignores answers to requests it no longer waits for', async () => {
    const relay = new AppMetricsRelay<Snap>(() => {}, 20);
    relay.receive(7, snap('stray\n'));
    assert.equal(await relay.get(), undefined);
  });
});

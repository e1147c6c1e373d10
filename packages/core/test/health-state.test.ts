import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { HealthcheckConfigError, HealthState, Heartbeat } from '../src/index.js';

const S = 1_000_000_000n;
const MS = 1_000_000n;
const t0 = () => process.hrtime.bigint();

describe('HealthState', () => {
  it('starts STARTING, then follows the listener', () => {
    const state = HealthState.create({ eventLoopBlockThresholdSeconds: 5 });
    assert.equal(state.status(), 'STARTING');
    state.setListenerHealthy(true);
    assert.equal(state.status(), 'HEALTHY');
    state.setListenerHealthy(false);
    assert.equal(state.status(), 'UNHEALTHY');
    state.setListenerHealthy(true);
    assert.equal(state.status(), 'HEALTHY');
  });

  it('turns STARTING into UNHEALTHY after the grace period (default 10 s)', () => {
    const state = HealthState.create({ eventLoopBlockThresholdSeconds: 60 });
    const start = t0();
    state.beat();
    // Read at chosen instants instead of waiting: the state only compares clock values.
    assert.equal(state.listenerStatus(start + 9n * S), 'STARTING');
    assert.equal(state.listenerStatus(start + 11n * S), 'UNHEALTHY');
    state.setListenerHealthy(true);
    assert.equal(state.listenerStatus(start + 11n * S), 'HEALTHY');
  });

  it('takes a configured grace period', () => {
    const state = HealthState.create({ startupGracePeriodSeconds: 0.2 });
    const start = t0();
    assert.equal(state.listenerStatus(start), 'STARTING');
    assert.equal(state.listenerStatus(start + 300n * MS), 'UNHEALTHY');
  });

  it('derives lag from the last heartbeat less one interval, clamped at 0', () => {
    const state = HealthState.create({ heartbeatIntervalMs: 100, eventLoopBlockThresholdSeconds: 1 });
    const beatAt = t0();
    state.beat();
    const after = t0();
    assert.equal(state.lagSeconds(beatAt), 0);
    assert.equal(state.lagSeconds(after + 50n * MS), 0);
    const lag = state.lagSeconds(after + 1600n * MS);
    assert.ok(lag >= 1.5 && lag <= 1.5 + Number(after - beatAt) / 1e9, `lag ${lag}`);
  });

  it('is UNHEALTHY while the lag exceeds the threshold, whatever the listener says', () => {
    const state = HealthState.create({ heartbeatIntervalMs: 100, eventLoopBlockThresholdSeconds: 1 });
    state.setListenerHealthy(true);
    state.beat();
    const at = t0();
    assert.equal(state.status(at + 1000n * MS), 'HEALTHY'); // lag <= 0.9 s
    assert.equal(state.isStalled(at + 1200n * MS), true);
    assert.equal(state.status(at + 1200n * MS), 'UNHEALTHY');
    assert.equal(state.listenerStatus(at + 1200n * MS), 'HEALTHY');
    state.beat();
    assert.equal(state.status(), 'HEALTHY');
  });

  it('is UNHEALTHY once shutting down', () => {
    const state = HealthState.create();
    state.setListenerHealthy(true);
    state.markShuttingDown();
    assert.equal(state.shuttingDown, true);
    assert.equal(state.status(), 'UNHEALTHY');
  });

  it('shares one state between two views of the buffer', () => {
    const state = HealthState.create({ eventLoopBlockThresholdSeconds: 2.5, heartbeatIntervalMs: 50 });
    const other = HealthState.fromShared(structuredClone(state.shared));
    assert.equal(other.eventLoopBlockThresholdSeconds, 2.5);
    assert.equal(other.heartbeatIntervalMs, 50);
    state.setListenerHealthy(true);
    assert.equal(other.status(), 'HEALTHY');
    other.markShuttingDown();
    assert.equal(state.status(), 'UNHEALTHY');
  });

  it('rejects bad options with the option named', () => {
    assert.throws(() => HealthState.create({ eventLoopBlockThresholdSeconds: 0 }), HealthcheckConfigError);
    assert.throws(() => HealthState.create({ heartbeatIntervalMs: 0 }), /heartbeatIntervalMs=0 is not valid/);
    // A threshold under one heartbeat interval would call ordinary timer delays a stall.
    assert.throws(
      () => HealthState.create({ eventLoopBlockThresholdSeconds: 0.05 }),
      /eventLoopBlockThresholdSeconds=0.05 is not valid: expected at least one heartbeat interval \(0.1 s/,
    );
    assert.throws(
      () => HealthState.create({ eventLoopBlockThresholdSeconds: 1e-9, heartbeatIntervalMs: 1 }),
      /at least one heartbeat interval \(0.001 s/,
    );
    assert.equal(
      HealthState.create({ eventLoopBlockThresholdSeconds: 0.05, heartbeatIntervalMs: 50 }).eventLoopBlockThresholdSeconds,
      0.05,
    );
    assert.throws(() => HealthState.create({ startupGracePeriodSeconds: -1 }), /startupGracePeriodSeconds=-1/);
    assert.throws(() => HealthState.fromShared({ buffer: new SharedArrayBuffer(8) }), TypeError);
  });
});

describe('Heartbeat', () => {
  it('keeps the lag near 0 while the loop runs, and stops cleanly', async () => {
    const state = HealthState.create({ heartbeatIntervalMs: 20 });
    const heartbeat = new Heartbeat(state);
    assert.equal(heartbeat.running, false, 'the constructor starts nothing');
    heartbeat.start();
    heartbeat.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(state.lagSeconds() < 0.1, `lag ${state.lagSeconds()}`);
    heartbeat.stop();
    heartbeat.stop();
    assert.equal(heartbeat.running, false);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.ok(state.lagSeconds() > 0.05, 'with the heartbeat stopped the lag grows');
  });

  it('lets another thread see the lag grow in real time while the main thread is blocked', async () => {
    const state = HealthState.create({ heartbeatIntervalMs: 50, eventLoopBlockThresholdSeconds: 1 });
    state.setListenerHealthy(true);
    const heartbeat = new Heartbeat(state);
    heartbeat.start();
    const reader = new Worker(new URL('./fixtures/lag-reader.mjs', import.meta.url), {
      workerData: { shared: state.shared, everyMs: 25 },
    });
    const samples: Array<{ at: bigint; lag: number; status: string }> = [];
    reader.on('message', (sample) => samples.push(sample));
    await once(reader, 'online');
    await new Promise((resolve) => setTimeout(resolve, 200));

    const blockStart = process.hrtime.bigint();
    const blockEnd = blockStart + 1500n * MS;
    while (process.hrtime.bigint() < blockEnd) {
      // Synchronous work: the event loop, and so the heartbeat, stand still.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    heartbeat.stop();
    await reader.terminate();

    const during = samples.filter((s) => s.at > blockStart && s.at < blockEnd);
    assert.ok(during.length > 10, `the reader sampled during the block (${during.length} samples)`);
    const maxLag = Math.max(...during.map((s) => s.lag));
    assert.ok(maxLag >= 1, `lag seen during the block: ${maxLag} s`);
    assert.ok(
      during.some((s) => s.status === 'UNHEALTHY'),
      'status turned UNHEALTHY during the block',
    );
    const last = samples.at(-1)!;
    assert.ok(last.lag < 0.5 && last.status === 'HEALTHY', `after the block: ${last.lag} s, ${last.status}`);
  });
});

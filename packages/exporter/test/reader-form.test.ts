import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { HealthcheckConfigError, HealthcheckListenError } from '../src/index.js';
import { WorkerHealthcheckReader } from '../src/metric-reader.js';
import { get, parseExposition, until } from '@worker-health/testing';

const refused = (port: number) =>
  get(port, '/health', 'GET', 1_000).then(
    () => false,
    () => true,
  );

describe('WorkerHealthcheckReader: the healthcheck as a reader on the application MeterProvider', () => {
  it('serves the provider metrics, and provider.shutdown() stops the server and the thread', async () => {
    const healthcheck = new WorkerHealthcheckReader({ workerName: 'my_worker', port: 0, bindAddress: '127.0.0.1' });
    const provider = new MeterProvider({ readers: [healthcheck] });
    provider.getMeter('app').createCounter('tasks_completed').add(4);
    const handle = await healthcheck.start();
    assert.equal(await healthcheck.start(), handle, 'start is idempotent');
    handle.setListenerHealthy(true);
    assert.equal((await get(handle.port, '/health')).status, 200);
    const families = parseExposition((await get(handle.port, '/metrics')).body);
    assert.equal(families.get('tasks_completed_total')?.samples[0]?.value, 4);
    assert.equal(families.get('hatchet_worker_listener_health_my_worker')?.samples[0]?.value, 1);
    await provider.shutdown();
    assert.ok(await refused(handle.port), 'the port is closed');
    assert.equal(handle.status(), 'UNHEALTHY');
  });

  it('start() rejects on a port in use and on bad settings; the constructor does nothing', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const taken = new WorkerHealthcheckReader({ workerName: 'w', port, bindAddress: '127.0.0.1' });
      new MeterProvider({ readers: [taken] });
      await assert.rejects(taken.start(), HealthcheckListenError);
      const bad = new WorkerHealthcheckReader({ workerName: 'w', port: -1 });
      await assert.rejects(bad.start(), HealthcheckConfigError);
    } finally {
      blocker.close();
    }
  });

  it('startFromEnv() opens nothing unless ENABLED is true', async () => {
    const off = new WorkerHealthcheckReader({ workerName: 'w', port: 0, bindAddress: '127.0.0.1', env: {} });
    const offProvider = new MeterProvider({ readers: [off] });
    assert.equal(await off.startFromEnv(), undefined);
    const forced = await off.start(); // start() still starts after startFromEnv() found it disabled
    assert.ok(forced.port > 0);
    assert.equal(await off.startFromEnv(), forced);
    await offProvider.shutdown();
    const on = new WorkerHealthcheckReader({
      workerName: 'w',
      port: 0,
      bindAddress: '127.0.0.1',
      env: { HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED: 'true' },
    });
    const provider = new MeterProvider({ readers: [on] });
    const handle = await on.startFromEnv();
    assert.ok(handle && handle.port > 0);
    await provider.shutdown();
  });

  it('started before it is registered: one clear warning through onError, and everything else served', async () => {
    const errors: Error[] = [];
    const healthcheck = new WorkerHealthcheckReader({ workerName: 'w', port: 0, bindAddress: '127.0.0.1', onError: (e) => errors.push(e) });
    const handle = await healthcheck.start();
    try {
      for (let i = 0; i < 3; i++) {
        const families = parseExposition((await get(handle.port, '/metrics')).body);
        assert.ok(families.has('hatchet_worker_listener_health_w'));
      }
      await until('the warning', async () => (errors.length > 0 ? true : undefined), 5_000);
      assert.equal(
        errors.filter((e) => /not registered on a MeterProvider/.test(e.message)).length,
        1,
        errors.map((e) => e.message).join('\n'),
      );
    } finally {
      await handle.shutdown();
    }
  });
});

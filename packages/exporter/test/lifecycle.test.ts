import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { HealthcheckConfigError, HealthcheckListenError, startWorkerHealthcheck, startWorkerHealthcheckFromEnv } from '../src/index.js';
import { Child, freePort, get, sleep } from '@worker-health/testing';
import { ENV, startCrashable } from './helpers.js';

async function refused(port: number): Promise<boolean> {
  try {
    await get(port, '/health', 'GET', 1_000);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  }
}

describe('configuration', () => {
  it('binds a free port for port 0 and reports it', async () => {
    const hc = await startWorkerHealthcheck({ workerName: 'w', port: 0, bindAddress: '127.0.0.1' });
    try {
      assert.ok(hc.port > 0);
      assert.equal((await get(hc.port, '/livez')).status, 200);
    } finally {
      await hc.shutdown();
    }
  });

  it('takes port, bind address and threshold from the environment when no option is given', async () => {
    const port = await freePort();
    const hc = await startWorkerHealthcheck({
      workerName: 'w',
      env: { [ENV.port]: String(port), [ENV.bind]: '127.0.0.1', [ENV.threshold]: '2.5s' },
    });
    try {
      assert.equal(hc.port, port);
      assert.equal((await get(port, '/livez')).status, 200);
    } finally {
      await hc.shutdown();
    }
  });

  it('lets options win over the environment, without reading the variables they replace', async () => {
    const hc = await startWorkerHealthcheck({
      workerName: 'w',
      port: 0,
      bindAddress: '127.0.0.1',
      env: { [ENV.port]: 'not-a-port', [ENV.bind]: 'bad host' },
    });
    assert.ok(hc.port > 0);
    await hc.shutdown();
  });

  it('rejects bad options and environment with HealthcheckConfigError', async () => {
    const cases: Array<[Parameters<typeof startWorkerHealthcheck>[0], RegExp]> = [
      [{ workerName: '---', port: 0 }, /^workerName="---" is not valid/],
      [{ workerName: 'w', port: -1 }, /^port=-1 is not valid/],
      [{ workerName: 'w', port: 1.5 }, /^port=1.5 is not valid/],
      [{ workerName: 'w', port: 0, eventLoopBlockThresholdSeconds: 0 }, /^eventLoopBlockThresholdSeconds=0 is not valid/],
      [{ workerName: 'w', port: 0, bindAddress: 'not a host' }, /^bindAddress="not a host" is not valid/],
      [
        { workerName: 'w', port: 0, metricsTimeoutMs: 10_001 },
        /^metricsTimeoutMs=10001 is not valid: expected a number of milliseconds from 1 to 10000/,
      ],
      [{ workerName: 'w', env: { [ENV.port]: 'abc' } }, /^HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT="abc" is not valid/],
      [
        { workerName: 'w', port: 0, meterProvider: {} } as never,
        /^meterProvider=\(object\) is not valid: expected no such option; did you mean `metricReader`\?/,
      ],
      [
        { workerName: 'w', port: 0, env: { [ENV.threshold]: 'NaN' } },
        /^HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS="NaN"/,
      ],
    ];
    for (const [options, message] of cases) {
      await assert.rejects(startWorkerHealthcheck(options), (error: unknown) => {
        assert.ok(error instanceof HealthcheckConfigError, String(error));
        assert.match(error.message, message);
        return true;
      });
    }
  });
});

describe('startWorkerHealthcheckFromEnv', () => {
  it('opens nothing unless ENABLED is true', async () => {
    const port = await freePort();
    for (const env of [{}, { [ENV.enabled]: 'false' }, { [ENV.enabled]: 'off' }]) {
      const hc = await startWorkerHealthcheckFromEnv({ workerName: 'w', env: { ...env, [ENV.port]: String(port) } });
      assert.equal(hc, undefined);
    }
    assert.ok(await refused(port), 'nothing listens');
  });

  it('starts when ENABLED is true, on the port of the environment', async () => {
    const port = await freePort();
    const hc = await startWorkerHealthcheckFromEnv({
      workerName: 'my_worker',
      env: { [ENV.enabled]: 'True', [ENV.port]: String(port), [ENV.bind]: '127.0.0.1' },
    });
    assert.ok(hc);
    try {
      assert.equal(hc.port, port);
      assert.equal((await get(port, '/health')).body, '{"status":"STARTING"}');
    } finally {
      await hc.shutdown();
    }
  });

  it('rejects a malformed variable even when disabled', async () => {
    await assert.rejects(
      startWorkerHealthcheckFromEnv({ workerName: 'w', env: { [ENV.enabled]: 'maybe' } }),
      /^HealthcheckConfigError: HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED="maybe" is not valid: expected true\/false/,
    );
    await assert.rejects(
      startWorkerHealthcheckFromEnv({ workerName: 'w', env: { [ENV.enabled]: 'false', [ENV.port]: '70000' } }),
      HealthcheckConfigError,
    );
  });
});

describe('ports', () => {
  it('rejects a port in use, naming the port and the variable, and leaves the other server alone', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      await assert.rejects(startWorkerHealthcheck({ workerName: 'w', port, bindAddress: '127.0.0.1' }), (error: unknown) => {
        assert.ok(error instanceof HealthcheckListenError);
        assert.equal(error.code, 'ERR_WORKER_HEALTH_PORT_IN_USE');
        assert.match(error.message, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
        assert.match(error.message, /HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT/);
        return true;
      });
      assert.equal(blocker.listening, true);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('refuses a second healthcheck on the same port; the first keeps serving', async () => {
    const first = await startWorkerHealthcheck({ workerName: 'first', port: 0, bindAddress: '127.0.0.1' });
    try {
      first.setListenerHealthy(true);
      await assert.rejects(
        startWorkerHealthcheck({ workerName: 'second', port: first.port, bindAddress: '127.0.0.1' }),
        HealthcheckListenError,
      );
      const reply = await get(first.port, '/health');
      assert.deepEqual([reply.status, reply.body], [200, '{"status":"HEALTHY"}']);
      assert.match((await get(first.port, '/metrics')).body, /hatchet_worker_listener_health_first 1/);
    } finally {
      await first.shutdown();
    }
  });

  it('names a bind address that is not local', async () => {
    await assert.rejects(
      startWorkerHealthcheck({ workerName: 'w', port: 0, bindAddress: '192.0.2.1' }),
      (error: unknown) =>
        error instanceof HealthcheckListenError && error.code === 'ERR_WORKER_HEALTH_LISTEN' && /192\.0\.2\.1/.test(error.message),
    );
  });
});

describe('shutdown', () => {
  it('frees the port at once, is idempotent, and the same port can be bound again', async () => {
    const hc = await startWorkerHealthcheck({ workerName: 'w', port: 0, bindAddress: '127.0.0.1' });
    const { port } = hc;
    const first = hc.shutdown();
    const second = hc.shutdown();
    assert.equal(first, second, 'the same promise');
    await first;
    await hc.shutdown();
    assert.ok(await refused(port), 'port closed');
    const again = await startWorkerHealthcheck({ workerName: 'w', port, bindAddress: '127.0.0.1' });
    try {
      assert.equal(again.port, port);
      assert.equal((await get(port, '/livez')).status, 200);
    } finally {
      await again.shutdown();
    }
  });

  it('lets the process exit by itself within 1 s', async () => {
    const child = new Child(new URL('./fixtures/start-and-stop.mjs', import.meta.url));
    const { shutDownAt } = (await child.next('shutDownAt', 15_000)) as { shutDownAt: number };
    const exit = await Promise.race([child.exited(), sleep(5_000).then(() => 'still running' as const)]);
    const exitedAt = Date.now();
    if (exit === 'still running') child.process.kill();
    assert.deepEqual(exit, { code: 0, signal: null }, `stderr: ${child.stderr}`);
    assert.ok(exitedAt - shutDownAt < 1_000, `exited ${exitedAt - shutDownAt} ms after shutdown`);
  });
});

describe('health thread failure', () => {
  it('does not crash the host, reports the failure and restarts the thread on the same port', async () => {
    const errors: Error[] = [];
    const { hc, crash } = await startCrashable({
      workerName: 'w',
      port: 0,
      bindAddress: '127.0.0.1',
      onError: (error) => errors.push(error),
    });
    try {
      hc.setListenerHealthy(true);
      crash();
      const deadline = Date.now() + 5_000;
      while (errors.length === 0 && Date.now() < deadline) await sleep(20);
      assert.equal(errors.length, 1);
      assert.match(errors[0]!.message, /the health thread crashed/);
      assert.equal((errors[0] as { code?: string }).code, 'ERR_WORKER_HEALTH_THREAD');
      let reply: Awaited<ReturnType<typeof get>> | undefined;
      while (Date.now() < deadline) {
        reply = await get(hc.port, '/health').catch(() => undefined);
        if (reply) break;
        await sleep(20);
      }
      assert.deepEqual([reply?.status, reply?.body], [200, '{"status":"HEALTHY"}'], 'served again after the restart');
      assert.match((await get(hc.port, '/metrics')).body, /hatchet_worker_listener_health_w 1/);
    } finally {
      await hc.shutdown();
    }
    assert.ok(await refused(hc.port));
  });
});

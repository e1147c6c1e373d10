import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Child, freePort, get, until } from '@worker-health/testing';

const MAIN = new URL('../dist/main.js', import.meta.url);

test("the example worker against its fake engine: HEALTHY, and exit 0 on SIGTERM (the SDK's own handling)", async () => {
  const port = await freePort();
  const child = new Child(MAIN, {
    HATCHET_CLIENT_TOKEN: undefined,
    HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED: 'true',
    HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT: String(port),
    HATCHET_CLIENT_WORKER_HEALTHCHECK_BIND_ADDRESS: '127.0.0.1',
  });
  try {
    const ready = await child.next('ready', 30_000);
    assert.equal(ready.healthPort, port);
    await until('HEALTHY', () => get(port, '/health').then((r) => (r.status === 200 ? r : undefined)), 15_000);
    child.process.kill('SIGTERM');
    assert.deepEqual(await child.exited(), { code: 0, signal: null });
  } finally {
    child.process.kill('SIGKILL');
    await child.exited();
  }
});

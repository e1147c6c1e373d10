import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Child, freePort, get, until } from '@worker-health/testing';

const MAIN = new URL('../dist/main.js', import.meta.url);

test('the example worker against the fake engine: quiet start, HEALTHY, 503 during a block task, and a clean exit 0 on SIGTERM', async () => {
  const [port, tasksPort] = [await freePort(), await freePort()];
  const child = new Child(MAIN, {
    HATCHET_CLIENT_TOKEN: undefined,
    HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED: 'true',
    HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT: String(port),
    HATCHET_CLIENT_WORKER_HEALTHCHECK_BIND_ADDRESS: '127.0.0.1',
    HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS: '1',
    EXAMPLE_TASKS_PORT: String(tasksPort),
  });
  try {
    const ready = await child.next('ready', 30_000);
    assert.equal(ready.healthcheckPort, port, 'the port under the key examples/worker prints it under');
    await until('HEALTHY', () => get(port, '/health').then((r) => (r.status === 200 ? r : undefined)), 15_000);
    const metrics = await get(port, '/metrics');
    assert.match(metrics.body, /^hatchet_worker_status 1$/m, 'the SDK families are served');
    assert.match(metrics.body, /^hatchet_worker_actions 2$/m);

    const queued = await get(tasksPort, '/tasks?kind=block&seconds=3', 'POST');
    assert.equal(queued.status, 202, queued.body);
    await until('503 during the block', () => get(port, '/health').then((r) => (r.status === 503 ? r : undefined)), 5_000);
    await until('HEALTHY after it', () => get(port, '/health').then((r) => (r.status === 200 ? r : undefined)), 10_000);
    assert.equal((await get(tasksPort, '/tasks?kind=other', 'POST')).status, 404);

    child.process.kill('SIGTERM');
    assert.deepEqual(await child.exited(), { code: 0, signal: null });
    await child.closed();
    const printed = child.lines.map((line) => line.text ?? JSON.stringify(line)).join('\n');
    assert.match(
      printed,
      /fake engine: assigned task run \S+ \(simple\)|fake engine: task run \S+ COMPLETED/,
      'it tells what the engine assigns',
    );
    assert.doesNotMatch(printed, /ERROR/, 'no ERROR line, also while stopping');
    assert.equal(child.stderr, '', 'no warning: the SDK health server is off, the version tested');
  } finally {
    child.process.kill('SIGKILL');
    await child.exited();
  }
});

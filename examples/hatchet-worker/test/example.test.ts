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
    assert.match(metrics.body, /^hatchet_worker_actions 3$/m, 'simple, block and sleep');
    assert.match(metrics.body, /^hatchet_worker_listener_health_my_worker 1$/m, 'the suffix form and my_worker by default');

    const queued = await get(tasksPort, '/tasks?kind=block&seconds=3', 'POST');
    assert.equal(queued.status, 202, queued.body);
    await until('503 during the block', () => get(port, '/health').then((r) => (r.status === 503 ? r : undefined)), 5_000);
    await until('HEALTHY after it', () => get(port, '/health').then((r) => (r.status === 200 ? r : undefined)), 10_000);
    for (const [path, method, status, says] of [
      ['/tasks?kind=other', 'POST', 400, 'kind="other" is not valid: expected block or sleep'],
      ['/tasks?kind=sleep&seconds=0', 'POST', 400, 'seconds="0" is not valid'],
      ['/engine/heartbeats?answer=maybe', 'POST', 400, 'answer="maybe" is not valid: expected ok, unavailable, not-found, hang'],
      ['/tasks?kind=block', 'GET', 405, 'GET /tasks: only POST is served'],
      ['/elsewhere', 'POST', 404, 'no route /elsewhere'],
    ] as const) {
      const reply = await get(tasksPort, path, method);
      assert.equal(reply.status, status, `${method} ${path}`);
      assert.ok(reply.body.startsWith(says), `${method} ${path}: ${reply.body}`);
    }

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
    // Standard error holds the stall reports of the block task (JSON lines of @worker-health/exporter) and nothing else:
    // no warning (the SDK health server is off, the version tested).
    const stderr = child.stderr.split('\n').filter(Boolean);
    assert.ok(stderr.length > 0, 'the block task is reported');
    for (const line of stderr) {
      const event = (() => {
        try {
          return (JSON.parse(line) as { event?: string }).event;
        } catch {
          return undefined;
        }
      })();
      assert.ok(
        ['blocked', 'still blocked', 'unblocked'].includes(event ?? ''),
        `a line that is not a stall report: ${line.slice(0, 300)}`,
      );
    }
  } finally {
    child.process.kill('SIGKILL');
    await child.exited();
  }
});

test('the example exits 1 naming the variable when its environment is malformed', async () => {
  for (const [name, value] of [
    ['EXAMPLE_METRIC_NAME_FORM', 'labels'],
    ['EXAMPLE_WORKER_NAME', ' '],
    ['EXAMPLE_TASKS_PORT', '80800'],
    ['HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT', 'abc'],
  ] as const) {
    const child = new Child(MAIN, {
      HATCHET_CLIENT_TOKEN: undefined,
      HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED: 'true',
      HATCHET_CLIENT_WORKER_HEALTHCHECK_BIND_ADDRESS: '127.0.0.1',
      HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT: '0',
      EXAMPLE_TASKS_PORT: '0',
      [name]: value,
    });
    try {
      assert.equal((await child.exited()).code, 1, `${name}=${value}`);
      await child.closed();
      assert.ok(child.stderr.startsWith(`worker: cannot start: ${name}=${JSON.stringify(value)} is not valid`), `${name}: ${child.stderr}`);
    } finally {
      child.process.kill('SIGKILL');
      await child.exited();
    }
  }
});

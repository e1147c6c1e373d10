import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { get, sleep, until, type Child } from '@worker-health/testing';
import { healthIs, MAIN, Processes } from './helpers.js';

describe('example worker', () => {
  const processes = new Processes();
  after(() => processes.killAll());

  it('follows its listener connection: healthy, unhealthy while the dispatcher is away, healthy again', async () => {
    const dispatcher = await processes.dispatcher();
    const dispatcherPort = dispatcher.port;
    const healthPort = (await processes.worker(dispatcherPort)).port;
    await until('HEALTHY', healthIs(healthPort, 200));

    dispatcher.process.kill('SIGTERM');
    await dispatcher.exited();
    const down = await until('UNHEALTHY', healthIs(healthPort, 503));
    assert.equal(down.body, '{"status":"UNHEALTHY"}');
    assert.equal((await get(healthPort, '/livez')).status, 200, 'an upstream outage does not fail liveness');
    assert.equal((await get(healthPort, '/readyz')).status, 503);

    // Back on the same port, the one the worker knows.
    await processes.dispatcher(dispatcherPort);
    const back = await until('HEALTHY again', healthIs(healthPort, 200));
    assert.equal(back.body, '{"status":"HEALTHY"}');
  });

  it('finishes the task in flight on SIGTERM during a blocking task, then exits 0 and frees the port', async () => {
    const dispatcher = await processes.dispatcher();
    const dispatcherPort = dispatcher.port;
    const worker = await processes.worker(dispatcherPort);
    const healthPort = worker.port;
    await until('HEALTHY', healthIs(healthPort, 200));

    const submitted = await fetch(`http://127.0.0.1:${dispatcherPort}/tasks?kind=block&seconds=2`, { method: 'POST' });
    assert.equal(submitted.status, 202);
    await until('the block to be seen', healthIs(healthPort, 503));
    worker.process.kill('SIGTERM');
    const exit = await worker.exited();
    assert.deepEqual(exit, { code: 0, signal: null }, worker.stderr);
    await sleep(200);
    assert.match(dispatcher.stderr + JSON.stringify(await drain(dispatcher)), /blocked the event loop for 2 s/);
    await assert.rejects(get(healthPort, '/health', 'GET', 1_000), /ECONNREFUSED/);
  });

  it('keeps its connection through a block longer than the silence limit (regression: a socket timeout fired after the block)', async () => {
    const dispatcher = await processes.dispatcher();
    const dispatcherPort = dispatcher.port;
    const worker = await processes.worker(dispatcherPort, undefined, { EXAMPLE_LISTENER_SILENCE_MS: '3000' });
    const healthPort = worker.port;
    await until('HEALTHY', healthIs(healthPort, 200));
    await fetch(`http://127.0.0.1:${dispatcherPort}/tasks?kind=block&seconds=4`, { method: 'POST' });
    await until('the block to be seen', healthIs(healthPort, 503));
    await until('HEALTHY after the block', healthIs(healthPort, 200));
    await sleep(1_500);
    const lines = await drain(dispatcher);
    assert.ok(
      lines.some((l) => /result .*blocked the event loop for 4 s/.test(l)),
      lines.join('\n'),
    );
    assert.equal(lines.filter((l) => /disconnected/.test(l)).length, 0, 'the connection was never dropped');
    assert.ok(!(await drain(worker)).some((l) => /lost the dispatcher/.test(l)));
  });

  it('sends a task addressed to one worker to that worker only, and serves the label form when asked', async () => {
    const dispatcherPort = (await processes.dispatcher()).port;
    const first = (await processes.worker(dispatcherPort, undefined, { EXAMPLE_WORKER_NAME: 'first' })).port;
    const second = (
      await processes.worker(dispatcherPort, undefined, { EXAMPLE_WORKER_NAME: 'second-one', EXAMPLE_METRIC_NAME_FORM: 'label' })
    ).port;
    await until('both HEALTHY', async () => ((await healthIs(first, 200)()) && (await healthIs(second, 200)()) ? true : undefined));
    const metrics = (await get(second, '/metrics')).body;
    assert.match(metrics, /^hatchet_worker_listener_health\{worker="second-one"\} 1$/m);
    assert.match(metrics, /^hatchet_worker_event_loop_lag_seconds\{worker="second-one"\} /m);
    assert.match((await get(first, '/metrics')).body, /^hatchet_worker_listener_health_first 1$/m);

    for (let i = 0; i < 2; i++) {
      const submitted = await fetch(`http://127.0.0.1:${dispatcherPort}/tasks?kind=block&seconds=2&worker=second-one`, { method: 'POST' });
      assert.equal(submitted.status, 202);
      await until('the addressed worker to be blocked', healthIs(second, 503));
      assert.equal((await get(first, '/health')).status, 200, 'the other worker got no task');
      await until('the addressed worker to be back', healthIs(second, 200));
    }
  });

  it('exits non-zero naming the variable when the environment is malformed', async () => {
    for (const [name, value] of [
      ['HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT', 'abc'],
      ['HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED', 'maybe'],
      ['HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS', '-1'],
      ['HATCHET_CLIENT_WORKER_HEALTHCHECK_BIND_ADDRESS', ''],
      ['EXAMPLE_METRIC_NAME_FORM', 'labels'],
    ] as const) {
      const worker = processes.spawn(MAIN, { EXAMPLE_START_DISPATCHER: 'false', [name]: value });
      const exit = await worker.exited();
      assert.equal(exit.code, 1, `${name}=${value}`);
      assert.match(
        worker.stderr,
        new RegExp(`cannot start: ${name}=${JSON.stringify(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid`),
      );
    }
  });
});

async function drain(child: Child): Promise<string[]> {
  const lines: string[] = [];
  for (;;) {
    const line = await child.next('text', 200).catch(() => undefined);
    if (!line) return lines;
    lines.push(String(line.text));
  }
}

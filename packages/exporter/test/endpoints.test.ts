import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startWorkerHealthcheck, type WorkerHealthcheck } from '../src/index.js';
import { get, raw, sleep } from '@worker-health/testing';

describe('/health, /livez and /readyz', () => {
  let hc: WorkerHealthcheck;
  before(async () => {
    hc = await startWorkerHealthcheck({ workerName: 'my_worker', port: 0, bindAddress: '127.0.0.1' });
  });
  after(() => hc.shutdown());

  it('reports STARTING (503) before the listener first reports', async () => {
    assert.equal(hc.status(), 'STARTING');
    const reply = await get(hc.port, '/health');
    assert.equal(reply.status, 503);
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.equal(reply.body, '{"status":"STARTING"}');
    assert.equal((await get(hc.port, '/readyz')).status, 503);
    assert.equal((await get(hc.port, '/livez')).status, 200, 'a starting worker is alive');
  });

  it('reports HEALTHY (200) once the listener is healthy', async () => {
    hc.setListenerHealthy(true);
    const reply = await get(hc.port, '/health');
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.equal(reply.headers['cache-control'], 'no-store');
    assert.equal(reply.body, '{"status":"HEALTHY"}');
    const ready = await get(hc.port, '/readyz');
    assert.deepEqual([ready.status, ready.body, ready.headers['content-type']], [200, 'ready\n', 'text/plain; charset=utf-8']);
    const live = await get(hc.port, '/livez');
    assert.deepEqual([live.status, live.body], [200, 'ok\n']);
  });

  it('reports UNHEALTHY (503) when the listener is down, while /livez stays 200', async () => {
    hc.setListenerHealthy(false);
    const reply = await get(hc.port, '/health');
    assert.deepEqual([reply.status, reply.body], [503, '{"status":"UNHEALTHY"}']);
    const ready = await get(hc.port, '/readyz');
    assert.deepEqual([ready.status, ready.body], [503, 'not ready\n']);
    assert.equal((await get(hc.port, '/livez')).status, 200, 'restarting would not bring the upstream back');
    hc.setListenerHealthy(true);
    assert.equal((await get(hc.port, '/health')).status, 200);
  });

  it('answers HEAD like GET, without a body', async () => {
    for (const path of ['/health', '/livez', '/readyz', '/metrics']) {
      const reply = await get(hc.port, path, 'HEAD');
      assert.equal(reply.status, 200, path);
      assert.equal(reply.body, '', path);
      assert.ok(Number(reply.headers['content-length']) > 0, `${path} announces its GET length`);
    }
  });

  it('answers 405 with Allow for other methods on the known paths', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const reply = await get(hc.port, '/health', method);
      assert.equal(reply.status, 405, method);
      assert.equal(reply.headers.allow, 'GET, HEAD');
      assert.equal(reply.body, 'method not allowed\n');
    }
    assert.equal((await get(hc.port, '/metrics', 'POST')).status, 405);
  });

  it('answers 404 to any other path, matched exactly and without decoding', async () => {
    for (const path of ['/', '/healthz', '/health/', '//health', '/%68ealth', '/metrics/../health', '/HEALTH', '/../metrics']) {
      const reply = await get(hc.port, path);
      assert.equal(reply.status, 404, path);
      assert.equal(reply.body, 'not found\n', path);
    }
  });

  it('ignores the query string and never echoes it', async () => {
    const reply = await get(hc.port, '/health?x=%3Cscript%3Ealert(1)%3C/script%3E');
    assert.deepEqual([reply.status, reply.body], [200, '{"status":"HEALTHY"}']);
    const missing = await get(hc.port, '/nope?<script>');
    assert.equal(missing.status, 404);
    assert.ok(!missing.body.includes('script'));
  });

  it('answers malformed requests with a bare 400 or 431 and keeps serving', async () => {
    const bad = await raw(hc.port, 'GARBAGE\r\n\r\n');
    assert.match(bad, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.ok(!bad.includes('GARBAGE'));
    const huge = await raw(hc.port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(huge, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    assert.equal((await get(hc.port, '/health')).status, 200);
  });

  it('turns STARTING into UNHEALTHY after the grace period', async () => {
    const started = Date.now();
    const other = await startWorkerHealthcheck({
      workerName: 'late',
      port: 0,
      bindAddress: '127.0.0.1',
      startupGracePeriodSeconds: 2,
    });
    try {
      assert.equal((await get(other.port, '/health')).body, '{"status":"STARTING"}');
      await sleep(2_200 - (Date.now() - started));
      const reply = await get(other.port, '/health');
      assert.deepEqual([reply.status, reply.body], [503, '{"status":"UNHEALTHY"}']);
    } finally {
      await other.shutdown();
    }
  });

  it('reports UNHEALTHY while shutting down', async () => {
    const other = await startWorkerHealthcheck({ workerName: 'closing', port: 0, bindAddress: '127.0.0.1' });
    other.setListenerHealthy(true);
    const closing = other.shutdown();
    assert.equal(other.status(), 'UNHEALTHY');
    await closing;
  });
});

// HTTP/1.1 details of the request target and the Host header (RFC 9112 §3.2),
// and CONNECT, each sent as raw bytes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startWorkerHealthcheck, type WorkerHealthcheck } from '../src/index.js';
import { connect } from 'node:net';
import { get, raw } from '@worker-health/testing';

const BARE_400 = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

describe('HTTP details', () => {
  let hc: WorkerHealthcheck;
  before(async () => {
    hc = await startWorkerHealthcheck({ workerName: 'w', port: 0, bindAddress: '127.0.0.1', defaultMetrics: false });
    hc.setListenerHealthy(true);
  });
  after(() => hc.shutdown());

  const body = (answer: string) => answer.slice(answer.indexOf('\r\n\r\n') + 4);

  it('serves an absolute-form request target (RFC 9112 §3.2.2) by its path', async () => {
    const health = await raw(hc.port, 'GET http://health.example:8001/health HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(health, /^HTTP\/1\.1 200 /);
    assert.equal(body(health), '{"status":"HEALTHY"}');
    assert.match(await raw(hc.port, 'GET HTTPS://H/livez?probe=1 HTTP/1.1\r\nHost: h\r\n\r\n'), /^HTTP\/1\.1 200 /);
    const metrics = await raw(hc.port, 'GET http://h/metrics HTTP/1.1\r\nHost: h\r\n\r\n');
    assert.match(body(metrics), /^hatchet_worker_listener_health_w 1$/m);
    assert.match(await raw(hc.port, 'HEAD http://h/readyz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 200 /);
  });

  it('answers 404 for absolute-form targets of other paths, and never decodes them', async () => {
    for (const target of [
      'http://h',
      'http://h/',
      'http://h/nope',
      'http://h//health',
      'http://h/%68ealth',
      'http://h/../health',
      'ftp://h/health',
    ]) {
      assert.match(await raw(hc.port, `GET ${target} HTTP/1.1\r\nHost: h\r\n\r\n`), /^HTTP\/1\.1 404 /, target);
    }
  });

  it('answers CONNECT with 405 and Allow: GET, HEAD, then closes', async () => {
    const answer = await raw(hc.port, 'CONNECT health.example:443 HTTP/1.1\r\nHost: health.example:443\r\n\r\n');
    assert.equal(answer, 'HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  it('answers an HTTP/1.1 request without Host with the same bare 400 as a malformed request', async () => {
    assert.equal(await raw(hc.port, 'HELLO\r\n\r\n'), BARE_400, 'the bare 400 of a malformed request');
    assert.equal(await raw(hc.port, 'GET /health HTTP/1.1\r\n\r\n'), BARE_400);
    assert.equal(await raw(hc.port, 'GET http://h/health HTTP/1.1\r\n\r\n'), BARE_400, 'absolute form too');
    // HTTP/1.0 has no Host requirement.
    assert.match(await raw(hc.port, 'GET /health HTTP/1.0\r\n\r\n'), /^HTTP\/1\.1 200 /);
  });

  it('answers two Host header lines, or a Host that is not a host, with the bare 400', async () => {
    assert.equal(await raw(hc.port, 'GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'), BARE_400);
    assert.equal(await raw(hc.port, 'GET /health HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n'), BARE_400, 'same value, other case');
    assert.equal(await raw(hc.port, 'GET /health HTTP/1.1\r\nHost: a b\r\n\r\n'), BARE_400);
    assert.equal(await raw(hc.port, 'GET /health HTTP/1.1\r\nHost: a/b\r\n\r\n'), BARE_400);
    assert.equal(await raw(hc.port, 'GET /health HTTP/1.1\r\nHost: a:b\r\n\r\n'), BARE_400, 'port not a number');
    for (const host of ['health.example', 'health.example:8001', '10.0.0.1:8001', '[::1]:8001', 'xn--wrker-jua.example']) {
      assert.match(await raw(hc.port, `GET /health HTTP/1.1\r\nHost: ${host}\r\n\r\n`), /^HTTP\/1\.1 200 /, host);
    }
  });

  it('answers pipelined requests in order: a good one, then the bare 400 that closes the connection', async () => {
    const both = await untilClosed(
      hc.port,
      'GET /livez HTTP/1.1\r\nHost: a\r\n\r\nGET /health HTTP/1.1\r\n\r\nGET /health HTTP/1.1\r\nHost: a\r\n\r\n',
    );
    assert.match(both, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok\n/);
    assert.ok(both.endsWith(`ok\n${BARE_400}`), both);
    assert.equal((await get(hc.port, '/health')).status, 200);
  });
});

/** Sends raw bytes; returns all the server sends until it closes the connection. */
function untilClosed(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error(`not closed within 5 s; received: ${received}`)));
    socket.write(bytes);
  });
}

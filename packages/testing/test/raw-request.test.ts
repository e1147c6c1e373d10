import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePort, raw, rawRequest } from '../src/index.js';

const listen = async (server: Server | ReturnType<typeof createHttpServer>) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
};

describe('rawRequest', () => {
  // Keeps the connection open after the answer: the reply must end at its Content-Length.
  const http = createHttpServer({ keepAliveTimeout: 60_000 }, (_, res) =>
    res.writeHead(503, { 'Content-Type': 'application/json', 'Content-Length': 22 }).end('{"status":"UNHEALTHY"}'),
  );
  let port = 0;
  before(async () => (port = await listen(http)));
  after(() => http.close());

  it('reads the status and the whole answer, and times it', async () => {
    const reply = await rawRequest(port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n', { timeoutMs: 2_000 });
    assert.equal(reply.error, undefined);
    assert.equal(reply.status, 503);
    assert.ok(reply.text.endsWith('{"status":"UNHEALTHY"}'), reply.text);
    assert.ok(reply.connectMs <= reply.firstByteMs && reply.firstByteMs <= reply.ms, JSON.stringify(reply));
  });

  it('ends with the connection when the server closes without a length', async () => {
    const server = createServer((socket) => socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbye'));
    const closing = await listen(server);
    try {
      const reply = await rawRequest(closing, 'GET / HTTP/1.1\r\n\r\n');
      assert.equal(reply.status, 200);
      assert.ok(reply.text.endsWith('bye'));
    } finally {
      server.close();
    }
  });

  it('reports a refused connection and a silent server as errors; raw() rejects on them', async () => {
    const refused = await rawRequest(await freePort(), 'GET / HTTP/1.1\r\n\r\n');
    assert.equal(refused.error, 'ECONNREFUSED');
    assert.equal(refused.status, 0);
    const sockets: Socket[] = [];
    const server = createServer((socket) => void sockets.push(socket));
    const silent = await listen(server);
    try {
      assert.equal((await rawRequest(silent, 'GET / HTTP/1.1\r\n\r\n', { timeoutMs: 200 })).error, 'timeout');
      await assert.rejects(raw(silent, 'GET / HTTP/1.1\r\n\r\n', 200), /failed: timeout/);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});

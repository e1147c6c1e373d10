// The connection cap: idle clients cannot take the process's descriptors, and
// a fresh probe is answered when the cap is reached.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { HealthcheckConfigError, HealthState } from '@worker-health/core';
import { SERVER_LIMITS } from '../src/index.js';
import { createHealthServer, type HealthServerOptions } from '../src/thread/health-server.js';
import { Child, get, sleep, until } from '@worker-health/testing';

/** Opens `count` connections that send nothing; each records whether the server closed it. */
async function idleConnections(port: number, count: number): Promise<Array<{ socket: Socket; closed: () => boolean }>> {
  return Promise.all(
    Array.from({ length: count }, () => {
      const socket = connect(port, '127.0.0.1');
      let closed = false;
      socket.on('error', () => {}); // resets of evicted connections are expected
      socket.on('close', () => (closed = true));
      return new Promise<{ socket: Socket; closed: () => boolean }>((resolve) => {
        const done = () => resolve({ socket, closed: () => closed });
        socket.once('connect', done).once('close', done);
      });
    }),
  );
}

async function listen(options: Omit<HealthServerOptions, 'state'>): Promise<{ server: Server; port: number }> {
  const state = HealthState.create({ eventLoopBlockThresholdSeconds: 3_600 });
  state.setListenerHealthy(true);
  const server = createHealthServer({ state, ...options });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

const connections = (server: Server) =>
  new Promise<number>((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
const close = (server: Server) => {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(resolve));
};

describe('connection cap', () => {
  const sockets: Socket[] = [];
  after(() => {
    for (const s of sockets) s.destroy();
  });

  it('at the cap, a new connection closes the oldest idle one and its request is answered', async () => {
    const { server, port } = await listen({ metrics: async () => ({ chunks: [], bytes: 0 }), maxConnections: 8 });
    try {
      const idle = await idleConnections(port, 20);
      sockets.push(...idle.map((c) => c.socket));
      await until('the server to settle at its cap', async () => (await connections(server)) <= 8 || undefined, 5_000);
      const reply = await get(port, '/livez', 'GET', 2_000);
      assert.equal(reply.status, 200);
      await sleep(100);
      const closed = idle.map((c) => c.closed());
      // The oldest were closed, the newest (up to the cap less the probe's place) kept.
      assert.deepEqual(closed.slice(0, 12), Array(12).fill(true), `closed: ${closed.join()}`);
      assert.ok(closed.slice(-7).filter((c) => !c).length >= 6, `the newest kept: ${closed.join()}`);
      assert.ok((await connections(server)) <= 8);
    } finally {
      await close(server);
    }
  });

  it('a connection with a request in progress is never closed to make room; the newcomer is refused instead', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const metrics = () => {
      started++;
      return held.then(() => ({ chunks: [Buffer.from('m 1\n')], bytes: 4 }));
    };
    const { server, port } = await listen({ metrics, maxConnections: 4 });
    try {
      const scrapes = Array.from({ length: 4 }, () => get(port, '/metrics', 'GET', 10_000));
      await until('4 scrapes in progress', async () => started === 4 || undefined, 5_000);
      await assert.rejects(get(port, '/livez', 'GET', 2_000), /ECONNRESET|socket hang up/);
      release();
      for (const reply of await Promise.all(scrapes)) assert.deepEqual([reply.status, reply.body], [200, 'm 1\n']);
      assert.equal((await get(port, '/livez', 'GET', 2_000)).status, 200, 'room again once they are answered');
    } finally {
      await close(server);
    }
  });

  it('rejects a cap that is not a whole number of at least 1, naming the option', () => {
    const state = HealthState.create();
    for (const maxConnections of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10' as unknown as number]) {
      assert.throws(
        () => createHealthServer({ state, metrics: async () => ({ chunks: [], bytes: 0 }), maxConnections }),
        (error: unknown) =>
          error instanceof HealthcheckConfigError && /^maxConnections=.* is not valid: expected a whole number/.test(error.message),
        String(maxConnections),
      );
    }
  });

  it('under `ulimit -n 1024`, 2 000 idle connections leave a fresh /health answered and the application able to open files', {
    timeout: 60_000,
  }, async (t) => {
    if (process.platform !== 'linux') {
      t.skip('needs bash ulimit and /proc (Linux)');
      return;
    }
    const fixture = new URL('./fixtures/fd-limited-app.mjs', import.meta.url).pathname;
    const child = new Child('bash', {}, ['-c', `ulimit -n 1024 && exec "${process.execPath}" "${fixture}"`]);
    try {
      const { port, limit, fds: atStart } = (await child.next('port', 30_000)) as { port: number; limit: number; fds: number };
      assert.equal(limit, 1024, 'the descriptor limit is in force');
      const idle = await idleConnections(port, 2_000);
      sockets.push(...idle.map((c) => c.socket));
      await sleep(500);
      const reply = await get(port, '/health', 'GET', 3_000);
      assert.deepEqual([reply.status, reply.body], [200, '{"status":"HEALTHY"}']);
      child.send('open 500');
      const opened = (await child.next('opened')) as { opened: number; error?: string };
      assert.equal(opened.opened, 500, `the application opened ${opened.opened} files, then ${opened.error}`);
      child.send('fds');
      const { fds } = (await child.next('fds')) as { fds: number };
      assert.ok(
        typeof fds === 'number' && fds <= atStart + SERVER_LIMITS.maxConnections + 1,
        `${fds} descriptors open (${atStart} at start, cap ${SERVER_LIMITS.maxConnections})`,
      );
      const closedByServer = idle.filter((c) => c.closed()).length;
      t.diagnostic(
        `limit 1024, 2 000 idle connections: ${fds} descriptors open (${atStart} before), ${closedByServer} idle connections closed by the server, ` +
          `fresh /health 200 in ${reply.ms.toFixed(1)} ms, the application opened 500 files`,
      );
    } finally {
      child.process.kill();
      await child.exited();
    }
  });
});

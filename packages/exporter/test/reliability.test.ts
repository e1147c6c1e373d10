// Reliability and security: load, faults and bad input. Each test prints its
// figures as a diagnostic; RELIABILITY.md quotes them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  HealthcheckConfigError,
  RESTART_POLICY,
  SERVER_LIMITS,
  startWorkerHealthcheck,
  startWorkerHealthcheckFromEnv,
  type WorkerHealthcheck,
} from '../src/index.js';
import { Child, get, hasPrometheusTools, load, parseExposition, raw, sleep, until, type LoadReply } from '@worker-health/testing';
import { startCrashable } from './helpers.js';

const VALID_BODY: Record<number, string[]> = { 200: ['{"status":"HEALTHY"}'], 503: ['{"status":"UNHEALTHY"}', '{"status":"STARTING"}'] };
const failures = (replies: LoadReply[]) => ({
  errors: replies.filter((r) => r.status === 0 && r.error !== 'timeout').length,
  timeouts: replies.filter((r) => r.error === 'timeout').length,
});

describe('load', () => {
  const child = new Child(new URL('./fixtures/blocking-worker.mjs', import.meta.url), { THRESHOLD: '1' });
  let port: number;
  before(async () => {
    port = ((await child.next('port')) as { port: number }).port;
  });
  after(async () => {
    child.process.kill();
    await child.exited();
  });

  it('20 000 /health and 2 000 /metrics at concurrency 64: no error, no timeout', async (t) => {
    const [health, metrics] = await Promise.all([load(port, '/health', 20_000, 56), load(port, '/metrics', 2_000, 8)]);
    assert.deepEqual(failures(health), { errors: 0, timeouts: 0 });
    assert.deepEqual(failures(metrics), { errors: 0, timeouts: 0 });
    assert.ok(health.every((r) => r.status === 200 && r.body === '{"status":"HEALTHY"}'));
    assert.ok(metrics.every((r) => r.status === 200 && r.body.includes('hatchet_worker_listener_health_my_worker 1\n')));
    t.diagnostic(`no block: ${health.length} /health + ${metrics.length} /metrics, 0 errors, 0 timeouts`);
  });

  it('the same load with a 5 s main-thread block in the middle: every answer right for its moment', { timeout: 60_000 }, async (t) => {
    // Spread over 9 s so that the block (from about 2 s to 7 s) lies inside the load.
    const running = Promise.all([load(port, '/health', 20_000, 56, 9_000), load(port, '/metrics', 2_000, 8, 9_000)]);
    await sleep(2_000);
    child.send('block 5000');
    const { blocking } = (await child.next('blocking')) as { blocking: number };
    const { unblocked } = (await child.next('unblocked', 15_000)) as { unblocked: number };
    const [health, metrics] = await running;

    assert.deepEqual(failures(health), { errors: 0, timeouts: 0 });
    assert.deepEqual(failures(metrics), { errors: 0, timeouts: 0 });
    const wrong: LoadReply[] = [];
    let during503 = 0;
    for (const r of health) {
      if (!VALID_BODY[r.status]?.includes(r.body)) wrong.push(r);
      // Answered before the threshold could be crossed: 200. Sent after threshold + interval + margin, answered
      // within the block: 503. Sent well after the block: 200. In between, either is right.
      else if (r.at < blocking + 1_000 && r.status !== 200) wrong.push(r);
      else if (r.sentAt > blocking + 1_250 && r.at < unblocked) r.status === 503 ? during503++ : wrong.push(r);
      else if (r.sentAt > unblocked + 250 && r.status !== 200) wrong.push(r);
    }
    assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} wrong answers`);
    assert.ok(during503 > 1_000, `${during503} answers of 503 inside the block`);
    const blockedScrapes = metrics.filter((r) => r.sentAt > blocking + 1_250 && r.at < unblocked);
    assert.ok(blockedScrapes.length > 50, `${blockedScrapes.length} scrapes inside the block`);
    for (const r of blockedScrapes) {
      assert.equal(r.status, 200);
      const families = parseExposition(r.body);
      assert.equal(families.get('hatchet_worker_listener_health_my_worker')?.samples[0]?.value, 0);
      assert.ok(families.get('hatchet_worker_event_loop_lag_seconds_my_worker')!.samples[0]!.value >= 1);
    }
    t.diagnostic(
      `5 s block: ${health.length} /health + ${metrics.length} /metrics, 0 errors, 0 timeouts, ` +
        `${during503} × 503 and ${blockedScrapes.length} scrapes inside the block, 0 wrong answers`,
    );
  });
});

describe('idle and slow clients', () => {
  let hc: WorkerHealthcheck;
  const sockets: Socket[] = [];
  before(async () => {
    hc = await startWorkerHealthcheck({ workerName: 'w', port: 0, bindAddress: '127.0.0.1' });
    hc.setListenerHealthy(true);
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await hc.shutdown();
  });

  it('1 000 idle keep-alive connections and 50 slow senders do not hold up a fresh /health', { timeout: 60_000 }, async (t) => {
    // 1 000 connections that made one request and now idle (keep-alive). Beyond the
    // connection cap the oldest idle ones are closed (connections.test.ts), some before their answer.
    const answered = await Promise.all(
      Array.from(
        { length: 1_000 },
        () =>
          new Promise<boolean>((resolve) => {
            const socket = connect(hc.port, '127.0.0.1', () => socket.write('GET /livez HTTP/1.1\r\nHost: x\r\n\r\n'));
            socket.once('data', () => resolve(true));
            socket.once('close', () => resolve(false));
            socket.on('error', () => {});
            sockets.push(socket);
          }),
      ),
    );
    assert.ok(answered.filter(Boolean).length >= SERVER_LIMITS.maxConnections, `${answered.filter(Boolean).length} of 1 000 answered`);
    // 50 clients dribbling a request head, one byte a second.
    const head = 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n';
    const slow = Array.from({ length: 50 }, () => {
      const socket = connect(hc.port, '127.0.0.1');
      let received = '';
      let sent = 0;
      const timer = setInterval(() => socket.writable && socket.write(head[sent++ % head.length]!), 1_000);
      socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk));
      const closed = new Promise<number>((resolve) =>
        socket.on('close', () => {
          clearInterval(timer);
          resolve(Date.now());
        }),
      );
      socket.on('error', () => {});
      sockets.push(socket);
      return { closed, received: () => received };
    });
    await sleep(500);
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const reply = await get(hc.port, '/health');
      assert.equal(reply.status, 200);
      latencies.push(reply.ms);
    }
    latencies.sort((a, b) => a - b);
    const p50 = latencies[10]!;
    assert.ok(p50 < 100, `fresh /health p50 ${p50.toFixed(1)} ms with 1 050 other connections`);

    // The server cuts the slow senders once the header timeout passes (checked every second).
    const started = Date.now();
    const closedAt = await Promise.all(slow.map((s) => s.closed));
    const waited = Math.max(...closedAt) - started;
    assert.ok(waited < SERVER_LIMITS.headersTimeoutMs + 3_000, `slow senders cut after ${waited} ms`);
    assert.ok(
      slow.every((s) => /^HTTP\/1\.1 408 Request Timeout\r\n/.test(s.received())),
      'with a bare 408',
    );
    t.diagnostic(
      `fresh /health p50 ${p50.toFixed(2)} ms, max ${latencies.at(-1)!.toFixed(2)} ms beside 1 000 idle (${answered.filter(Boolean).length} answered before ` +
        `the cap closed them) + 50 slow connections; slow senders cut within ${waited} ms`,
    );
  });
});

describe('faults', () => {
  it('100 000 listener status changes while /health is polled: only valid answers, each pause answered as last set', async (t) => {
    const hc = await startWorkerHealthcheck({ workerName: 'w', port: 0, bindAddress: '127.0.0.1' });
    try {
      let flipping = true;
      const seen: LoadReply[] = [];
      const poller = (async () => {
        while (flipping) seen.push(...(await load(hc.port, '/health', 20, 4)));
      })();
      // Every 1 000 changes the flipping pauses on a state that alternates (healthy after an even
      // pause, unhealthy after an odd one), and a probe sent then must see exactly that state.
      const atPauses: Array<{ expected: number; got: number }> = [];
      for (let i = 0; i < 100_000; i++) {
        const pause = i % 1_000 === 999;
        const healthy = pause ? Math.floor(i / 1_000) % 2 === 0 : i % 2 === 0;
        hc.setListenerHealthy(healthy);
        if (pause) atPauses.push({ expected: healthy ? 200 : 503, got: (await get(hc.port, '/health')).status });
      }
      flipping = false;
      await poller;
      assert.equal(atPauses.length, 100);
      assert.deepEqual(
        atPauses.filter((p) => p.expected !== p.got),
        [],
        'a probe during a pause answers the state last set',
      );
      assert.deepEqual(new Set(atPauses.map((p) => p.got)), new Set([200, 503]), 'both states were seen at the pauses');
      assert.ok(seen.length >= 20, `${seen.length} concurrent polls`);
      assert.ok(
        seen.every((r) => VALID_BODY[r.status]?.includes(r.body)),
        'every concurrent answer one of the valid bodies, matching its code',
      );
      hc.setListenerHealthy(false);
      assert.deepEqual([(await get(hc.port, '/health')).status, hc.status()], [503, 'UNHEALTHY']);
      hc.setListenerHealthy(true);
      assert.equal((await get(hc.port, '/health')).body, '{"status":"HEALTHY"}');
      t.diagnostic(`100 000 changes, 100 pauses answered as set, ${seen.length} concurrent polls, 0 invalid answers`);
    } finally {
      await hc.shutdown();
    }
  });

  it('a health thread that keeps crashing is restarted, then given up on and reported; the host lives on', {
    timeout: 30_000,
  }, async (t) => {
    const errors: Error[] = [];
    const { hc, crash } = await startCrashable({ workerName: 'w', port: 0, bindAddress: '127.0.0.1', onError: (e) => errors.push(e) });
    try {
      let crashes = 0;
      for (; crashes <= RESTART_POLICY.maxRestarts; crashes++) {
        await until('the thread to serve', async () => (await get(hc.port, '/livez', 'GET', 500)).status === 200 || undefined);
        crash();
        await until('the crash to be reported', async () => errors.filter((e) => /crashed/.test(e.message)).length > crashes || undefined);
      }
      await until('the give-up to be reported', async () => errors.some((e) => /not restarting/.test(e.message)) || undefined);
      assert.match(errors.at(-1)!.message, new RegExp(`not restarting: ${RESTART_POLICY.maxRestarts} restarts in the last 60 s`));
      assert.equal(hc.status(), 'STARTING', 'the handle still answers');
      await hc.shutdown();
      t.diagnostic(`${crashes} crashes survived: ${RESTART_POLICY.maxRestarts} restarts, then reported`);
    } finally {
      await hc.shutdown();
    }
  });

  it('shutdown during scrapes: each completes or closes cleanly, the port is freed, a second shutdown is a no-op', async (t) => {
    const hc = await startWorkerHealthcheck({ workerName: 'w', port: 0, bindAddress: '127.0.0.1' });
    const { port } = hc;
    const scrapes = load(port, '/metrics', 200, 32, 0, 3_000);
    await sleep(30);
    await hc.shutdown();
    await hc.shutdown();
    const replies = await scrapes;
    const complete = replies.filter((r) => r.status === 200);
    for (const r of complete) parseExposition(r.body); // whole expositions only
    assert.ok(complete.every((r) => r.body.endsWith('\n') && r.body.includes('hatchet_worker_listener_health_w')));
    assert.ok(
      replies.every((r) => r.status === 200 || (r.status === 0 && r.error !== 'timeout')),
      'no timeout, no other status',
    );
    await assert.rejects(get(port, '/health', 'GET', 1_000), /ECONNREFUSED/);
    const again = await startWorkerHealthcheck({ workerName: 'w', port, bindAddress: '127.0.0.1' });
    assert.equal((await get(port, '/livez')).status, 200);
    await again.shutdown();
    t.diagnostic(
      `${complete.length} scrapes completed, ${replies.length - complete.length} closed cleanly, 0 timeouts; restarted on port ${port}`,
    );
  });
});

describe('bad input', () => {
  let hc: WorkerHealthcheck;
  before(async () => {
    hc = await startWorkerHealthcheck({ workerName: 'w', port: 0, bindAddress: '127.0.0.1' });
    hc.setListenerHealthy(true);
  });
  after(() => hc.shutdown());

  const cases: Array<[string, string, RegExp]> = [
    ['bad request line', 'HELLO\r\n\r\n', /^HTTP\/1\.1 400 /],
    ['no HTTP version (HTTP/0.9 style, served)', 'GET /health\r\n\r\n', /^HTTP\/1\.1 200 /],
    ['invalid method', 'FOO /health HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 400 /],
    ['lower-case method', 'get /health HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 400 /],
    ['huge header', `GET /health HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(64_000)}\r\n\r\n`, /^HTTP\/1\.1 431 /],
    ['huge URL', `GET /health?${'a'.repeat(64_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, /^HTTP\/1\.1 431 /],
    ['many headers', `GET /health HTTP/1.1\r\nHost: x\r\n${'X-A: b\r\n'.repeat(3_000)}\r\n`, /^HTTP\/1\.1 431 /],
    ['path traversal', 'GET /../metrics HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 404 /],
    ['dot segment', 'GET /metrics/../health HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 404 /],
    ['double slash', 'GET //health HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 404 /],
    ['encoded path', 'GET /%2Fhealth HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 404 /],
    ['absolute-form URL (RFC 9112: served by its path)', 'GET http://evil.example/health HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 200 /],
    ['absolute-form URL of another path', 'GET http://evil.example/admin HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 404 /],
    ['script in query', 'GET /health?x=<script>alert(1)</script> HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 200 /],
    ['script in path', 'GET /<script>alert(1)</script> HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 (400|404) /],
    ['NUL in path', 'GET /health\0 HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 400 /],
    ['TRACE', 'TRACE /health HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 405 /],
    ['body on GET', 'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello', /^HTTP\/1\.1 200 /],
    [
      'conflicting lengths',
      'POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      /^HTTP\/1\.1 400 /,
    ],
  ];
  for (const [name, request, expected] of cases) {
    it(`${name}: ${/\d{3}/.exec(expected.source)?.[0] ?? expected.source}, nothing echoed, still healthy`, async () => {
      const answer = await raw(hc.port, request);
      assert.match(answer, expected);
      const lower = answer.toLowerCase();
      for (const leak of ['script', 'evil', 'aaaa', 'hello', 'error:', ' at ', 'node:', 'x-a', 'foo', 'hpe_']) {
        assert.ok(!lower.includes(leak), `answer contains "${leak}": ${answer.slice(0, 200)}`);
      }
      assert.ok(!/x-powered-by|server:/i.test(answer), 'no server identification');
      assert.equal((await get(hc.port, '/health')).status, 200);
    });
  }

  const badEnv: Array<[string, string]> = [
    ['HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED', 'maybe'],
    ['HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED', ''],
    ['HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT', 'abc'],
    ['HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT', '0'],
    ['HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT', '70000'],
    ['HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT', '80.5'],
    ['HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT', ''],
    ['HATCHET_CLIENT_WORKER_HEALTHCHECK_BIND_ADDRESS', ''],
    ['HATCHET_CLIENT_WORKER_HEALTHCHECK_BIND_ADDRESS', 'not a host'],
    ['HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS', '-1'],
    ['HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS', '0'],
    ['HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS', 'abc'],
    ['HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS', 'NaN'],
    ['HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS', 'Infinity'],
    ['HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS', ''],
  ];
  it('every malformed variable rejects startWorkerHealthcheckFromEnv with its name and value', async () => {
    for (const [name, value] of badEnv) {
      const env = { HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED: 'true', [name]: value };
      await assert.rejects(startWorkerHealthcheckFromEnv({ workerName: 'w', env }), (error: unknown) => {
        assert.ok(error instanceof HealthcheckConfigError);
        assert.ok(error.message.startsWith(`${name}=${JSON.stringify(value)} is not valid: expected `), error.message);
        return true;
      });
    }
  });

  it('worker names with spaces, unicode, dashes or 300 characters give valid expositions; an empty one a clear error', async (t) => {
    for (const workerName of ['my worker', 'wörker-ünïcode', 'my-worker', 'x'.repeat(300), '日本 worker 1']) {
      const other = await startWorkerHealthcheck({ workerName, port: 0, bindAddress: '127.0.0.1', defaultMetrics: false });
      try {
        const body = (await get(other.port, '/metrics')).body;
        const names = [...parseExposition(body).keys()];
        assert.ok(
          names.every((n) => /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(n)),
          names.join(),
        );
        assert.ok(names.some((n) => n.startsWith('hatchet_worker_listener_health_')));
        if (hasPrometheusTools(t)) {
          const check = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
          assert.equal(check.status, 0, `${workerName}: ${check.stdout}${check.stderr}`);
        }
      } finally {
        await other.shutdown();
      }
    }
    await assert.rejects(startWorkerHealthcheck({ workerName: 'ö ü', port: 0 }), /^HealthcheckConfigError: workerName="ö ü" is not valid/);
  });
});

describe('security', () => {
  it('binds only the address asked for', async (t) => {
    const hc = await startWorkerHealthcheck({ workerName: 'w', port: 0, bindAddress: '127.0.0.1' });
    try {
      assert.equal((await get(hc.port, '/livez')).status, 200);
      // 127.0.0.2 is loopback too, but not the bound address. (Tests send nothing beyond loopback.)
      await assert.rejects(connectTo('127.0.0.2', hc.port), /ECONNREFUSED/);
      t.diagnostic('127.0.0.1 answers, 127.0.0.2 refused');
    } finally {
      await hc.shutdown();
    }
  });

  it('answers carry no internal detail', async () => {
    const hc = await startWorkerHealthcheck({ workerName: 'w', port: 0, bindAddress: '127.0.0.1' });
    try {
      for (const path of ['/health', '/livez', '/readyz', '/metrics', '/nope']) {
        const reply = await get(hc.port, path);
        const names = Object.keys(reply.headers).sort();
        assert.deepEqual(
          names.filter((n) => !['cache-control', 'connection', 'content-length', 'content-type', 'date', 'keep-alive'].includes(n)),
          [],
          `${path}: ${names.join()}`,
        );
      }
    } finally {
      await hc.shutdown();
    }
  });
});

function connectTo(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host, () => {
      socket.destroy();
      resolve();
    });
    socket.on('error', reject);
  });
}

// `/health` never waits for `/metrics`: a large application page, written for many scrapers at
// once, never holds up a probe. Probes come from a process of their own (raw sockets, fresh
// connections every 25 ms), timed beside the floor: a bare worker thread in the same process that
// answers every request with a static body, so that what the machine does to a probe (two cores,
// the application collecting, the scrapers reading) is told apart from what the healthcheck does.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { startWorkerHealthcheck } from '../src/index.js';
import { SlowReader } from './helpers.js';
import { Child, get, raw, sleep, startProber, type ProbeReply } from '@worker-health/testing';

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const during = (replies: ProbeReply[], from: number, to: number) => replies.filter((r) => r.sentAt >= from && r.sentAt < to);

describe('/health while /metrics works', () => {
  const app = new Child(new URL('./fixtures/series-worker.mjs', import.meta.url), { SERIES: '50000' }, [], { nextTimeoutMs: 60_000 });
  let port: number;
  let floorPort: number;
  before(async () => {
    ({ port, floorPort } = (await app.next('port')) as { port: number; floorPort: number });
    // One scrape first, so that the burst serves a page the main thread has already collected once.
    assert.equal((await get(port, '/metrics', 'GET', 30_000)).status, 200);
  });
  after(async () => {
    app.send('stop');
    await app.exited();
  });

  it('50 000 series, 16 scrapers at once for 3 s: no probe slower than the bound, and a waiting keep-alive request is answered', {
    timeout: 60_000,
  }, async (t) => {
    const probes = await startProber(port, '/health', 25);
    const floorProbes = await startProber(floorPort, '/health', 25);
    // A keep-alive connection opened and left idle before the burst; its request goes out in the middle of it.
    const idle = connect({ host: '127.0.0.1', port });
    await new Promise((resolve) => idle.once('connect', resolve));
    let idleAnswer = '';
    idle.setEncoding('latin1').on('data', (chunk: string) => (idleAnswer += chunk));
    await sleep(1_500);

    const burstStart = Date.now();
    let scrapes = 0;
    const bodies = new Set<number>();
    const scrapers = Array.from({ length: 16 }, async () => {
      while (Date.now() - burstStart < 3_000) {
        const reply = await get(port, '/metrics', 'GET', 30_000);
        assert.equal(reply.status, 200);
        assert.match(reply.body, /^app_requests_99_total\{route="\/route\/49999",status="200"\} 50000$/m, 'the whole page');
        bodies.add(reply.body.length);
        scrapes++;
      }
    });
    await sleep(1_500);
    idle.write(`GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    await Promise.all(scrapers);
    const burstEnd = Date.now();
    await sleep(300);
    const [ours, floor] = [await probes.stop(), await floorProbes.stop()];
    idle.destroy();

    assert.match(
      idleAnswer,
      /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nready\n$/,
      `the waiting keep-alive request: ${JSON.stringify(idleAnswer)}`,
    );
    assert.deepEqual(
      ours.filter((r) => r.status !== 200),
      [],
      'every probe answered 200',
    );
    const idleP99 = percentile(
      during(ours, 0, burstStart).map((r) => r.ms),
      99,
    );
    const burst = during(ours, burstStart, burstEnd).map((r) => r.ms);
    const floorBurst = during(floor, burstStart, burstEnd).map((r) => r.ms);
    assert.ok(burst.length >= 80, `${burst.length} probes during the burst`);
    // What the machine adds to any probe during the burst is the floor's slowest one; the healthcheck's own
    // thread may add its share of scheduling (twice its idle p99) and 50 ms of slack for a loaded machine.
    // A thread that writes each scraper's 3 MB page itself, as before, adds hundreds of milliseconds.
    const bound = Math.max(...floorBurst) + 2 * idleP99 + 50;
    const slowest = Math.max(...burst);
    t.diagnostic(
      `${scrapes} scrapes of ${[...bodies].join('/')} bytes; /health idle p99 ${idleP99.toFixed(1)} ms; during the burst ` +
        `p50 ${percentile(burst, 50).toFixed(1)} p99 ${percentile(burst, 99).toFixed(1)} max ${slowest.toFixed(1)} ms; floor p99 ` +
        `${percentile(floorBurst, 99).toFixed(1)} max ${Math.max(...floorBurst).toFixed(1)} ms; bound ${bound.toFixed(1)} ms`,
    );
    assert.ok(slowest <= bound, `slowest probe ${slowest.toFixed(1)} ms, bound ${bound.toFixed(1)} ms`);
    assert.ok(scrapes >= 16, `${scrapes} scrapes`);
  });
});

describe('a burst of scrapes is one page', () => {
  it('12 scrapes at once: one collection, one page, every body the same', async () => {
    const reader = new SlowReader(400);
    const provider = new MeterProvider({ readers: [reader] });
    const counter = provider.getMeter('app').createCounter('app_jobs');
    for (let i = 0; i < 500; i++) counter.add(i, { job: String(i) });
    const hc = await startWorkerHealthcheck({ workerName: 'w', port: 0, bindAddress: '127.0.0.1', metricReader: reader });
    try {
      const replies = await Promise.all(Array.from({ length: 12 }, () => get(hc.port, '/metrics')));
      assert.equal(reader.collections, 1, 'one collection for the burst');
      // Each page carries the lag and the age of the served figures, to the nanosecond: two pages would differ.
      assert.match(replies[0]!.body, /^worker_health_main_thread_metrics_age_seconds \d/m);
      assert.match(replies[0]!.body, /^app_jobs_total\{job="499"\} 499$/m);
      assert.deepEqual(new Set(replies.map((r) => r.body)).size, 1, 'every body the same');
      assert.ok(
        replies.every((r) => r.status === 200 && Number(r.headers['content-length']) === Buffer.byteLength(r.body)),
        'every reply 200 with its Content-Length',
      );
      // The next scrape, after the burst, is a page of its own.
      const next = await get(hc.port, '/metrics');
      assert.equal(reader.collections, 2);
      assert.notEqual(next.body, replies[0]!.body);
    } finally {
      await hc.shutdown();
      await provider.shutdown();
    }
  });
});

describe('Expect', () => {
  let hc: Awaited<ReturnType<typeof startWorkerHealthcheck>>;
  before(async () => {
    hc = await startWorkerHealthcheck({ workerName: 'w', port: 0, bindAddress: '127.0.0.1', defaultMetrics: false });
    hc.setListenerHealthy(true);
  });
  after(() => hc.shutdown());
  const request = (head: string) => raw(hc.port, `${head}\r\nConnection: close\r\n\r\n`);

  it('an expectation other than 100-continue is ignored (RFC 9110 §10.1.1): the request is served as any other', async () => {
    const text = await request(`GET /health HTTP/1.1\r\nHost: x\r\nExpect: something-else`);
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /\r\nContent-Length: 20\r\n/i);
    assert.doesNotMatch(text, /Transfer-Encoding/i);
    assert.ok(text.endsWith('\r\n\r\n{"status":"HEALTHY"}'), text);
  });

  it('with an unknown expectation, a bad Host is still the bare 400 and an unknown path 404', async () => {
    assert.equal(
      await request(`GET /health HTTP/1.1\r\nExpect: x`),
      'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    );
    assert.match(await request(`GET /nothing HTTP/1.1\r\nHost: x\r\nExpect: x`), /^HTTP\/1\.1 404 Not Found\r\n/);
  });

  it('100-continue: Node says 100 Continue, then the answer', async () => {
    const text = await request(`GET /health HTTP/1.1\r\nHost: x\r\nExpect: 100-continue`);
    assert.match(text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
  });
});

describe("Node's permission model", () => {
  const major = Number(process.versions.node.split('.')[0]);
  // --permission is stable from Node 22.13 / 23.5; Node 20 spells it --experimental-permission.
  const flag = major >= 22 ? '--permission' : '--experimental-permission';
  const start = (...flags: string[]) =>
    spawnSync(
      process.execPath,
      [flag, '--allow-fs-read=*', ...flags, '--no-warnings', new URL('./fixtures/start-once.mjs', import.meta.url).pathname],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );

  it('without --allow-worker: the start rejects saying so', () => {
    const result = start();
    const line = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { error?: string; code?: string; cause?: string };
    assert.equal(line.code, 'ERR_WORKER_HEALTH_THREAD', result.stdout + result.stderr);
    assert.equal(line.cause, 'ERR_ACCESS_DENIED');
    assert.match(line.error ?? '', /permission model is on and does not allow worker threads; start node with --allow-worker/);
  });

  it('with --allow-worker: it starts', () => {
    const result = start('--allow-worker');
    assert.match(result.stdout, /^\{"port":\d+\}$/m, result.stdout + result.stderr);
  });
});

describe('a million series', () => {
  it('under --max-old-space-size=350 (for every thread): each scrape serves the whole page, nothing runs out of heap', {
    timeout: 120_000,
  }, async (t) => {
    const app = new Child(new URL('./fixtures/million-worker.mjs', import.meta.url), {}, [], {
      nodeArgs: ['--max-old-space-size=350'],
      nextTimeoutMs: 60_000,
    });
    try {
      const { port } = (await app.next('port')) as { port: number };
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const reply = await get(port, '/metrics', 'GET', 60_000);
        times.push(reply.ms);
        assert.equal(reply.status, 200);
        assert.ok(reply.body.includes('\napp_items_total{i="999999"} 999999\n'), 'the last series is there');
        assert.equal(reply.body.match(/^app_items_total\{/gm)?.length, 1_000_000);
        assert.equal((await get(port, '/health')).status, 200);
      }
      assert.deepEqual(
        app.lines.filter((line) => 'error' in line),
        [],
        'no error told to onError (a health thread out of heap is a crash, reported there)',
      );
      t.diagnostic(`3 scrapes of 1 000 000 series: ${times.map((ms) => `${Math.round(ms)} ms`).join(', ')}`);
    } finally {
      app.send('stop');
      await app.exited();
    }
  });
});

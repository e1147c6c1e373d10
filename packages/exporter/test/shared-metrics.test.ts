// WorkerHealthcheck.sharedMetrics: families written on the main thread, served by the health thread.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { HealthcheckConfigError, startWorkerHealthcheck, type WorkerHealthcheck } from '../src/index.js';
import { SHARED_SERIES_CAPACITY } from '../src/shared/shared-series.js';
import { Child, get, hasPrometheusTools, parseExposition, sleep, until } from '@worker-health/testing';
import { startCrashable } from './helpers.js';

const start = (options: Partial<Parameters<typeof startWorkerHealthcheck>[0]> = {}) =>
  startWorkerHealthcheck({ workerName: 'w', port: 0, bindAddress: '127.0.0.1', defaultMetrics: false, ...options });
const page = async (hc: WorkerHealthcheck) => (await get(hc.port, '/metrics')).body;

describe('shared families on /metrics', () => {
  it('gauges, counters, histograms and ages, with HELP, TYPE and labels, as Prometheus reads them', async (t) => {
    const hc = await start();
    try {
      const m = hc.sharedMetrics;
      const slots = m.gauge({ name: 'slots_free', help: 'Free slots\nof the "pool"', labelNames: ['pool'] });
      const tasks = m.counter({ name: 'tasks_done_total', help: 'Tasks done', labelNames: ['result'] });
      const delay = m.histogram({ name: 'start_delay_seconds', help: 'Start delay', buckets: [0.1, 1, 10] });
      const age = m.age({ name: 'beat_age_seconds', help: 'Seconds since the last beat' });
      m.gauge({ name: 'never_written', help: 'A family with no series is not served' });
      slots.set(3, { pool: 'default' });
      slots.set(1, { pool: 'du"rable\\' });
      slots.set(2, { pool: 'default' });
      tasks.add(0, { result: 'failed' });
      tasks.add(2, { result: 'ok' });
      tasks.add(1.5, { result: 'ok' });
      for (const v of [0.05, 0.5, 0.7, 20]) delay.observe(v);
      age.reset();
      await sleep(50);
      const text = await page(hc);
      assert.match(
        text,
        /^# HELP slots_free Free slots\\nof the "pool"\n# TYPE slots_free gauge\nslots_free\{pool="default"\} 2\nslots_free\{pool="du\\"rable\\\\"\} 1\n/m,
      );
      assert.match(text, /^# TYPE tasks_done_total counter\ntasks_done_total\{result="failed"\} 0\ntasks_done_total\{result="ok"\} 3.5\n/m);
      assert.match(
        text,
        /^# TYPE start_delay_seconds histogram\nstart_delay_seconds_bucket\{le="0.1"\} 1\nstart_delay_seconds_bucket\{le="1"\} 3\nstart_delay_seconds_bucket\{le="10"\} 3\nstart_delay_seconds_bucket\{le="\+Inf"\} 4\nstart_delay_seconds_sum 21.25\nstart_delay_seconds_count 4\n/m,
      );
      const ageValue = parseExposition(text).get('beat_age_seconds')?.samples[0]?.value ?? NaN;
      assert.ok(ageValue >= 0.04 && ageValue < 5, `age ${ageValue}`);
      assert.doesNotMatch(text, /never_written/);
      if (hasPrometheusTools(t)) {
        const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
        assert.equal(result.status, 0, `promtool: ${result.stdout}${result.stderr}`);
      }
    } finally {
      await hc.shutdown();
    }
  });

  it('a histogram with labels puts le last', async () => {
    const hc = await start();
    try {
      hc.sharedMetrics.histogram({ name: 'h', help: 'h', labelNames: ['a', 'b'], buckets: [1] }).observe(2, { b: 'y', a: 'x' });
      assert.match(
        await page(hc),
        /^h_bucket\{a="x",b="y",le="1"\} 0\nh_bucket\{a="x",b="y",le="\+Inf"\} 1\nh_sum\{a="x",b="y"\} 2\nh_count\{a="x",b="y"\} 1\n/m,
      );
    } finally {
      await hc.shutdown();
    }
  });

  it('is served after a restart of the health thread, with the values written meanwhile', async () => {
    const errors: Error[] = [];
    const { hc, crash } = await startCrashable({
      workerName: 'w',
      port: 0,
      bindAddress: '127.0.0.1',
      defaultMetrics: false,
      onError: (e) => errors.push(e),
    });
    try {
      const counter = hc.sharedMetrics.counter({ name: 'jobs_total', help: 'Jobs' });
      counter.add(1);
      assert.match(await page(hc), /^jobs_total 1$/m);
      crash();
      counter.add(2);
      const gauge = hc.sharedMetrics.gauge({ name: 'registered_during_restart', help: 'g' });
      gauge.set(7);
      const text = await until('the restarted thread', async () => {
        const body = await page(hc).catch(() => '');
        return body.includes('registered_during_restart 7') ? body : undefined;
      });
      assert.match(text, /^jobs_total 3$/m);
      assert.ok(errors.some((e) => /crashed/.test(e.message)));
    } finally {
      await hc.shutdown();
    }
  });
});

describe('while the main thread is blocked', () => {
  const child = new Child(new URL('./fixtures/blocking-worker.mjs', import.meta.url), { THRESHOLD: '1' });
  after(async () => {
    child.process.kill();
    await child.exited();
  });

  it('served with the values as of the block, the age growing with it', async () => {
    const { port } = (await child.next('port')) as { port: number };
    for (const kind of ['a', 'a', 'b']) {
      child.send(`job ${kind}`);
      await child.next('job');
    }
    child.send('block 2500');
    await child.next('blocking');
    await sleep(1_500);
    const during = parseExposition((await get(port, '/metrics', 'GET', 2_000)).body);
    await child.next('unblocked', 10_000);
    assert.deepEqual(
      during.get('jobs_total')?.samples.map((s) => [s.labels, s.value]),
      [
        ['{kind="a"}', 2],
        ['{kind="b"}', 1],
      ],
    );
    const age = during.get('job_age_seconds')?.samples[0]?.value ?? NaN;
    assert.ok(age >= 1.4, `the age counts the block: ${age}`);
    assert.equal(during.get('hatchet_worker_listener_health_my_worker')?.samples[0]?.value, 0, 'read during the block');
  });
});

describe('bad use', () => {
  let hc: WorkerHealthcheck;
  after(() => hc?.shutdown());

  it('throws HealthcheckConfigError naming what is wrong', async () => {
    hc = await start();
    const m = hc.sharedMetrics;
    const cases: Array<[() => unknown, RegExp]> = [
      [() => m.gauge({ name: 'bad-name', help: 'x' }), /^name="bad-name" is not valid: expected a Prometheus metric name/],
      [() => m.counter({ name: 'jobs', help: 'x' }), /^name="jobs" is not valid: expected a counter name that ends in `_total`/],
      [() => m.gauge({ name: 'g', help: 1 as unknown as string }), /^help=1 is not valid/],
      [
        () => m.gauge({ name: 'g', help: 'x', labelNames: ['a', 'a'] }),
        /^labelNames=\(object\) is not valid: expected distinct label names/,
      ],
      [() => m.gauge({ name: 'g', help: 'x', labelNames: ['__x'] }), /not starting with __/],
      [() => m.histogram({ name: 'h', help: 'x', labelNames: ['le'], buckets: [1] }), /and not le/],
      [
        () => m.histogram({ name: 'h', help: 'x', buckets: [2, 1] }),
        /^buckets=\(object\) is not valid: expected a non-empty list of finite numbers in ascending order/,
      ],
      [() => m.gauge(undefined as never), /^options=undefined is not valid/],
    ];
    for (const [call, message] of cases) {
      assert.throws(call, (error: unknown) => error instanceof HealthcheckConfigError && message.test(error.message), String(message));
    }
    const gauge = m.gauge({ name: 'g', help: 'x', labelNames: ['pool'] });
    const counter = m.counter({ name: 'c_total', help: 'x' });
    const later: Array<[() => unknown, RegExp]> = [
      [() => m.gauge({ name: 'g', help: 'again' }), /^name="g" is not valid: expected a name no other shared family has/],
      [() => gauge.set(1), /^labels of g="\{\}" is not valid: expected exactly the labels pool, each a string/],
      [() => gauge.set(1, { pool: 'a', other: 'b' }), /^labels of g="\{pool, other\}" is not valid/],
      [() => gauge.set('1' as unknown as number, { pool: 'a' }), /^value="1" is not valid: expected a number/],
      [() => counter.add(-1), /^value=-1 is not valid: expected a finite number, 0 or more/],
      [() => counter.add(Number.NaN), /^value=NaN is not valid/],
    ];
    for (const [call, message] of later) {
      assert.throws(call, (error: unknown) => error instanceof HealthcheckConfigError && message.test(error.message), String(message));
    }
    assert.doesNotMatch(await page(hc), /^c_total/m, 'a rejected write writes nothing');
  });

  it('past the shared capacity: one onError, the series not served, the others still are', async () => {
    const errors: Error[] = [];
    const full = await start({ onError: (e) => errors.push(e) });
    try {
      const gauge = full.sharedMetrics.gauge({ name: 'many', help: 'x', labelNames: ['i'] });
      for (let i = 0; i < SHARED_SERIES_CAPACITY + 10; i++) gauge.set(i, { i: String(i) });
      assert.equal(errors.length, 1);
      assert.match(errors[0]!.message, /the shared metrics are full \(4096 values\): a new series of many is not served/);
      const samples = parseExposition(await page(full)).get('many')?.samples ?? [];
      assert.equal(samples.length, SHARED_SERIES_CAPACITY);
      assert.equal(samples.at(-1)?.value, SHARED_SERIES_CAPACITY - 1);
    } finally {
      await full.shutdown();
    }
  });

  it('after shutdown, writes do nothing and do not throw', async () => {
    const done = await start();
    const gauge = done.sharedMetrics.gauge({ name: 'g', help: 'x' });
    await done.shutdown();
    gauge.set(1);
    done.sharedMetrics.counter({ name: 'late_total', help: 'registered after shutdown' }).add(1);
  });
});

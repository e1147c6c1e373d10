import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Child, get, parseExposition, sleep, type Reply } from '@worker-health/testing';

// A child process blocks its main thread for 3 s with a 1 s threshold while
// this process polls its endpoints: they must answer during the block.
describe('while the main thread is blocked', () => {
  const child = new Child(new URL('./fixtures/blocking-worker.mjs', import.meta.url));
  after(async () => {
    child.process.kill();
    await child.exited();
  });

  it('/health and /metrics answer during the block, with 503 and the stall as lag, and 200 after it', async () => {
    const { port } = (await child.next('port')) as { port: number };
    assert.equal((await get(port, '/health')).status, 200);

    const health: Array<Reply & { at: number }> = [];
    const metrics: Array<Reply & { at: number }> = [];
    const livez: Array<Reply & { at: number }> = [];
    let polling = true;
    const pollLivez = (async () => {
      while (polling) {
        const reply = await get(port, '/livez', 'GET', 2_000);
        livez.push({ ...reply, at: Date.now() });
        await sleep(100);
      }
    })();
    const pollHealth = (async () => {
      while (polling) {
        const reply = await get(port, '/health', 'GET', 2_000);
        health.push({ ...reply, at: Date.now() });
        await sleep(50);
      }
    })();
    const pollMetrics = (async () => {
      while (polling) {
        const reply = await get(port, '/metrics', 'GET', 2_000);
        metrics.push({ ...reply, at: Date.now() });
        await sleep(250);
      }
    })();

    await sleep(300);
    child.send('block 3000');
    const { blocking } = (await child.next('blocking')) as { blocking: number };
    const { unblocked } = (await child.next('unblocked', 10_000)) as { unblocked: number };
    await sleep(500);
    polling = false;
    await Promise.all([pollHealth, pollMetrics, pollLivez]);

    // Replies whose whole round trip lay inside the block.
    const inside = <T extends Reply & { at: number }>(replies: T[]) => replies.filter((r) => r.at - r.ms > blocking && r.at < unblocked);
    const healthDuring = inside(health);
    const metricsDuring = inside(metrics);
    assert.ok(healthDuring.length >= 10, `/health answered ${healthDuring.length} times during the block`);
    assert.ok(metricsDuring.length >= 2, `/metrics answered ${metricsDuring.length} times during the block`);

    // Loose bounds: precise figures are the benchmark's job.
    const early = healthDuring.filter((r) => r.at - blocking < 900);
    const late = healthDuring.filter((r) => r.at - blocking > 1_600);
    assert.ok(early.length > 0 && early.every((r) => r.status === 200), 'still 200 before the threshold');
    assert.ok(
      late.length > 0 && late.every((r) => r.status === 503 && r.body === '{"status":"UNHEALTHY"}'),
      '503 past threshold + interval',
    );
    assert.ok(Math.max(...healthDuring.map((r) => r.ms)) < 1_000, 'no /health answer waited for the block');

    const livezLate = inside(livez).filter((r) => r.at - blocking > 1_600);
    assert.ok(livezLate.length > 0 && livezLate.every((r) => r.status === 503), '/livez fails once stalled past the threshold');

    const lastMetrics = metricsDuring.at(-1)!;
    assert.ok(lastMetrics.at - blocking > 1_600, 'a scrape late in the block');
    assert.ok(lastMetrics.ms <= 1_000 + 200, `/metrics answered within its deadline (${lastMetrics.ms} ms)`);
    const families = parseExposition(lastMetrics.body);
    assert.equal(families.get('hatchet_worker_listener_health_my_worker')?.samples[0]?.value, 0);
    const lag = families.get('hatchet_worker_event_loop_lag_seconds_my_worker')!.samples[0]!.value;
    assert.ok(lag >= 1, `lag during the block ${lag}`);
    const stallSoFar = (lastMetrics.at - blocking) / 1000;
    assert.ok(lag <= stallSoFar + 0.1, `lag ${lag} ≤ the stall so far ${stallSoFar}`);
    // Main-thread metrics come from the last snapshot, and say how old it is.
    assert.ok(families.has('v8js_memory_heap_used'), 'main-thread metrics still served (from the snapshot)');
    assert.ok(families.get('worker_health_main_thread_metrics_age_seconds')!.samples[0]!.value >= 1);

    const afterBlock = health.filter((r) => r.at - r.ms > unblocked + 200);
    assert.ok(afterBlock.length > 0 && afterBlock.every((r) => r.status === 200), '200 again after the block');
    const fresh = parseExposition((await get(port, '/metrics')).body);
    assert.equal(fresh.get('hatchet_worker_listener_health_my_worker')?.samples[0]?.value, 1);
    // Recorded every second on the main thread's own timer, which runs at once when the block ends.
    assert.ok(fresh.get('worker_health_main_thread_metrics_age_seconds')!.samples[0]!.value < 1.5);
  });
});

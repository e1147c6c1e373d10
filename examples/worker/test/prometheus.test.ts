import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { get, hasPrometheusTools, sleep, until } from '@worker-health/testing';
import { healthIs, Processes } from './helpers.js';
import { PrometheusServer } from './prometheus-server.js';

// A real Prometheus server scrapes the example worker every second; the seed
// page's query is asked through its HTTP API.
describe('with a real Prometheus server', () => {
  const processes = new Processes();
  const dir = mkdtempSync(join(tmpdir(), 'worker-health-prometheus-'));
  after(async () => {
    await processes.killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sees health 1, 0 while the dispatcher is down, 1 again, and the lag of a blocking task', { timeout: 120_000 }, async (t) => {
    if (!hasPrometheusTools(t, 'prometheus') || !hasPrometheusTools(t)) return;
    let dispatcher = await processes.dispatcher();
    const dispatcherPort = dispatcher.port;
    const healthPort = (await processes.worker(dispatcherPort)).port;
    await until('the worker to be healthy', healthIs(healthPort, 200));

    const live = await get(healthPort, '/metrics');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: live.body, encoding: 'utf8' });
    assert.equal(check.status, 0, `promtool check metrics: ${check.stdout}${check.stderr}`);

    const instance = `127.0.0.1:${healthPort}`;
    // The seed page's scrape config, at 1 s for the test.
    const prometheus = await PrometheusServer.start(
      processes,
      dir,
      [
        'scrape_configs:',
        '  - job_name: "hatchet"',
        '    scrape_interval: 1s',
        '    scrape_timeout: 1s',
        '    static_configs:',
        `      - targets: ["${instance}"]`,
        '',
      ].join('\n'),
    );
    const api = (query: string) => prometheus.value(query);
    const seedQuery = `(hatchet_worker_listener_health_my_worker{instance="${instance}", job="hatchet"}) or vector(0)`;
    const queryIs = (query: string, expected: number) => async () => ((await api(query)) === expected ? true : undefined);

    await until('the seed query to give 1', queryIs(seedQuery, 1), 30_000);

    dispatcher.process.kill('SIGTERM');
    await dispatcher.exited();
    await until('the seed query to give 0 with the dispatcher down', queryIs(seedQuery, 0), 30_000);

    dispatcher = await processes.dispatcher(dispatcherPort);
    await until('the seed query to give 1 again', queryIs(seedQuery, 1), 30_000);

    const submitted = await fetch(`http://127.0.0.1:${dispatcherPort}/tasks?kind=block&seconds=3`, { method: 'POST' });
    assert.equal(submitted.status, 202);
    await until('the block', healthIs(healthPort, 503));
    await until('the end of the block', healthIs(healthPort, 200));
    await sleep(2_000);
    const maxLag = await api(`max_over_time(hatchet_worker_event_loop_lag_seconds_my_worker{job="hatchet"}[1m])`);
    assert.ok(maxLag !== undefined && maxLag > 1, `the lag gauge rose above the 1 s threshold: ${maxLag}`);
    const minHealth = await api(`min_over_time(hatchet_worker_listener_health_my_worker{job="hatchet"}[10s])`);
    assert.equal(minHealth, 0, 'health was scraped as 0 during the block');
    const scrapesMissed = await api(`count_over_time(up{job="hatchet"}[1m]) - sum_over_time(up{job="hatchet"}[1m])`);
    assert.equal(scrapesMissed, 0, 'no scrape failed, not even during the block');
  });
});

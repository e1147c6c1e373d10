import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENT_LOOP_LAG_HELP, HealthcheckConfigError, LISTENER_HEALTH_HELP, workerMetricNames } from '@worker-health/core';

describe('workerMetricNames', () => {
  const cases: Array<[string, string]> = [
    ['my_worker', 'my_worker'],
    ['my-worker', 'myworker'],
    ['Wörker 1', 'Wrker1'],
    ['a.b/c:d', 'abcd'],
    ['9lives', '9lives'],
  ];
  for (const [name, suffix] of cases) {
    it(`names ${JSON.stringify(name)} ${suffix}`, () => {
      assert.deepEqual(workerMetricNames(name), {
        listenerHealth: `hatchet_worker_listener_health_${suffix}`,
        eventLoopLag: `hatchet_worker_event_loop_lag_seconds_${suffix}`,
      });
    });
  }

  it('keeps a 300-character name whole, as a valid metric name', () => {
    const names = workerMetricNames('w'.repeat(300));
    assert.equal(names.listenerHealth.length, 'hatchet_worker_listener_health_'.length + 300);
    assert.match(names.listenerHealth, /^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
  });

  for (const name of ['', '---', 'ö ü', '   ']) {
    it(`rejects ${JSON.stringify(name)}, which sanitizes to nothing`, () => {
      assert.throws(
        () => workerMetricNames(name),
        (error: unknown) =>
          error instanceof HealthcheckConfigError &&
          error.setting === 'workerName' &&
          error.message.includes(JSON.stringify(name)) &&
          error.message.includes('[A-Za-z0-9_]'),
      );
    });
  }

  it('has the seed page HELP texts', () => {
    assert.equal(LISTENER_HEALTH_HELP, 'Listener health (1 healthy, 0 unhealthy)');
    assert.equal(EVENT_LOOP_LAG_HELP, 'Event loop lag in seconds (listener process)');
  });
});

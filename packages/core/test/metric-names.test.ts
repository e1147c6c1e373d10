import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { EVENT_LOOP_LAG_HELP, HealthcheckConfigError, LISTENER_HEALTH_HELP, workerMetricNames } from '../src/index.js';

describe('workerMetricNames', () => {
  const cases: Array<[string, string]> = [
    ['my_worker', 'my_worker'],
    ['my-worker', 'myworker'],
    ['Wörker 1', 'Wrker1'],
    ['a.b/c:d', 'abcd'],
    ['9lives', '9lives'],
    // Underscores are word characters for Python's \W: kept as given, never folded.
    ['my__worker', 'my__worker'],
    ['_worker', '_worker'],
    ['worker_', 'worker_'],
    ['__', '__'],
    ['a-_-b', 'a_b'],
  ];
  for (const [name, suffix] of cases) {
    it(`names ${JSON.stringify(name)} ${suffix}`, () => {
      assert.deepEqual(workerMetricNames(name), {
        listenerHealth: `hatchet_worker_listener_health_${suffix}`,
        eventLoopLag: `hatchet_worker_event_loop_lag_seconds_${suffix}`,
      });
    });
  }

  it('gives what the Python SDK rule re.sub(r"\\W+", "", name) gives, for every ASCII name', (t) => {
    const names = ['my_worker', 'my-worker', 'my__worker', '_worker', 'worker_', '9lives', 'a.b/c:d', 'a-_-b', ' x y ', 'A1_b2-C3'];
    const python = spawnSync(
      'python3',
      ['-c', 'import re, sys, json; print(json.dumps([re.sub(r"\\W+", "", n) for n in json.load(sys.stdin)]))'],
      {
        input: JSON.stringify(names),
        encoding: 'utf8',
      },
    );
    if (python.error) {
      t.skip('python3 is not installed: the table above holds the same cases');
      return;
    }
    const expected = JSON.parse(python.stdout) as string[];
    assert.deepEqual(
      names.map((name) => workerMetricNames(name).listenerHealth),
      expected.map((suffix) => `hatchet_worker_listener_health_${suffix}`),
    );
  });

  it('drops non-ASCII letters, which Python keeps: a Prometheus metric name holds only [a-zA-Z0-9_:]', () => {
    assert.equal(workerMetricNames('wörker').listenerHealth, 'hatchet_worker_listener_health_wrker');
  });

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

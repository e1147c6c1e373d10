import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkNumber, HealthcheckConfigError, WorkerHealthError, workerGaugeNaming, workerMetricNames } from '../src/index.js';

describe('errors', () => {
  it('every error is a WorkerHealthError with an ERR_WORKER_HEALTH_ code and its own class name', () => {
    const error = new HealthcheckConfigError('port', 'x', 'a port');
    assert.ok(error instanceof WorkerHealthError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'HealthcheckConfigError');
    assert.equal(error.code, 'ERR_WORKER_HEALTH_CONFIG');
    const base = new WorkerHealthError('ERR_WORKER_HEALTH_SOMETHING', 'message', { cause: error });
    assert.equal(base.name, 'WorkerHealthError');
    assert.equal(base.cause, error);
  });

  it('quotes a long value shortened, with its length, instead of repeating it whole', () => {
    const name = 'é'.repeat(10_000);
    assert.throws(
      () => workerMetricNames(name),
      (error: unknown) => {
        assert.ok(error instanceof HealthcheckConfigError);
        assert.equal(error.value, name, 'the value itself stays on the error');
        assert.ok(error.message.length < 400, `message of ${error.message.length} characters`);
        assert.match(error.message, /^workerName="é{80}"… \(10000 characters\) is not valid: expected /);
        return true;
      },
    );
  });

  it('quotes a short value whole', () => {
    assert.throws(() => checkNumber('x', '12', 'a number'), /^HealthcheckConfigError|x="12" is not valid: expected a number$/);
  });
});

describe('checkNumber', () => {
  const cases: Array<[unknown, Parameters<typeof checkNumber>[3], boolean]> = [
    [5, {}, true],
    [Number.NaN, {}, false],
    [Infinity, {}, false],
    ['5', {}, false],
    [undefined, {}, false],
    [1.5, { integer: true }, false],
    [2, { integer: true }, true],
    [0, { min: 0 }, true],
    [-0.1, { min: 0 }, false],
    [0, { above: 0 }, false],
    [0.001, { above: 0 }, true],
    [1000, { max: 1000 }, true],
    [1000.5, { max: 1000 }, false],
  ];
  for (const [value, range, ok] of cases) {
    it(`${String(value)} with ${JSON.stringify(range)}: ${ok ? 'accepted' : 'rejected'}`, () => {
      if (ok) assert.equal(checkNumber('setting', value, 'what', range), value);
      else
        assert.throws(
          () => checkNumber('setting', value, 'what it accepts', range),
          (error: unknown) =>
            error instanceof HealthcheckConfigError && error.setting === 'setting' && /expected what it accepts$/.test(error.message),
        );
    });
  }
});

describe('workerGaugeNaming', () => {
  it('suffix form: the names of workerMetricNames and no labels', () => {
    assert.deepEqual(workerGaugeNaming('my-worker', 'suffix'), { names: workerMetricNames('my-worker'), labels: {} });
    assert.deepEqual(workerGaugeNaming('my-worker'), workerGaugeNaming('my-worker', 'suffix'), 'suffix is the default');
  });

  it('label form: one name for every worker, the name as given in a worker label', () => {
    assert.deepEqual(workerGaugeNaming('my-worker', 'label'), {
      names: { listenerHealth: 'hatchet_worker_listener_health', eventLoopLag: 'hatchet_worker_event_loop_lag_seconds' },
      labels: { worker: 'my-worker' },
    });
  });

  it('rejects another form, and a name that sanitizes to nothing in either form', () => {
    assert.throws(() => workerGaugeNaming('w', 'labels' as 'label'), /metricNameForm="labels" is not valid: expected 'suffix'/);
    assert.throws(() => workerGaugeNaming('---', 'label'), /workerName="---" is not valid/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  HEALTHCHECK_ENV as ENV,
  HealthcheckConfigError,
  readHealthcheckConfig,
  validateBindAddress,
  validatePortOption,
  validateThresholdOption,
} from '../src/index.js';

describe('readHealthcheckConfig', () => {
  it('gives the Python SDK defaults for an empty environment', () => {
    assert.deepEqual(readHealthcheckConfig({}), {
      enabled: false,
      port: 8001,
      bindAddress: '0.0.0.0',
      eventLoopBlockThresholdSeconds: 5,
    });
  });

  it('reads process.env when no environment is given', () => {
    const saved = process.env[ENV.port];
    process.env[ENV.port] = '9123';
    try {
      assert.equal(readHealthcheckConfig().port, 9123);
    } finally {
      if (saved === undefined) delete process.env[ENV.port];
      else process.env[ENV.port] = saved;
    }
  });

  const enabledCases: Array<[string, boolean]> = [
    ['True', true],
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['Yes', true],
    ['on', true],
    ['ON', true],
    [' true ', true],
    ['False', false],
    ['false', false],
    ['0', false],
    ['no', false],
    ['NO', false],
    ['off', false],
    ['Off', false],
  ];
  for (const [raw, expected] of enabledCases) {
    it(`reads ENABLED=${JSON.stringify(raw)} as ${expected}`, () => {
      assert.equal(readHealthcheckConfig({ [ENV.enabled]: raw }).enabled, expected);
    });
  }

  const goodValues: Array<[keyof typeof ENV, string, unknown]> = [
    ['port', '8002', 8002],
    ['port', '1', 1],
    ['port', '65535', 65535],
    ['port', ' 8003 ', 8003],
    ['bindAddress', '127.0.0.1', '127.0.0.1'],
    ['bindAddress', '::', '::'],
    ['bindAddress', '::1', '::1'],
    ['bindAddress', 'localhost', 'localhost'],
    ['bindAddress', 'worker-1.internal.example', 'worker-1.internal.example'],
    ['eventLoopBlockThresholdSeconds', '5', 5],
    ['eventLoopBlockThresholdSeconds', '5.0', 5],
    ['eventLoopBlockThresholdSeconds', '2.5', 2.5],
    ['eventLoopBlockThresholdSeconds', '2.5s', 2.5],
    ['eventLoopBlockThresholdSeconds', '2.5S', 2.5],
    ['eventLoopBlockThresholdSeconds', '.5', 0.5],
    ['eventLoopBlockThresholdSeconds', '0.001', 0.001],
  ];
  for (const [key, raw, expected] of goodValues) {
    it(`reads ${ENV[key]}=${JSON.stringify(raw)} as ${JSON.stringify(expected)}`, () => {
      assert.equal(readHealthcheckConfig({ [ENV[key]]: raw })[key], expected);
    });
  }

  const badValues: Array<[keyof typeof ENV, string, RegExp]> = [
    ['enabled', 'maybe', /true\/false, 1\/0, yes\/no or on\/off/],
    ['enabled', '', /true\/false/],
    ['enabled', '2', /true\/false/],
    ['enabled', 'y', /true\/false/],
    ['port', 'abc', /integer from 1 to 65535/],
    ['port', '0', /integer from 1 to 65535/],
    ['port', '70000', /integer from 1 to 65535/],
    ['port', '65536', /integer from 1 to 65535/],
    ['port', '80.5', /integer from 1 to 65535/],
    ['port', '-1', /integer from 1 to 65535/],
    ['port', '0x1F41', /integer from 1 to 65535/],
    ['port', '8e3', /integer from 1 to 65535/],
    ['port', '', /integer from 1 to 65535/],
    ['port', '   ', /integer from 1 to 65535/],
    ['bindAddress', '', /IPv4 or IPv6 address/],
    ['bindAddress', '[::1]', /without brackets/],
    ['bindAddress', 'http://localhost', /host name/],
    ['bindAddress', 'bad host', /host name/],
    ['bindAddress', '999.1.1.1', /"999\.1\.1\.1" is not a valid IPv4 address/],
    ['bindAddress', '1.2.3', /not a valid IPv4 address/],
    ['bindAddress', '-leading.example', /host name/],
    ['eventLoopBlockThresholdSeconds', '-1', /positive number of seconds/],
    ['eventLoopBlockThresholdSeconds', '0', /positive number of seconds/],
    ['eventLoopBlockThresholdSeconds', '0.0s', /positive number of seconds/],
    ['eventLoopBlockThresholdSeconds', 'abc', /positive number of seconds/],
    ['eventLoopBlockThresholdSeconds', 'NaN', /positive number of seconds/],
    ['eventLoopBlockThresholdSeconds', 'Infinity', /positive number of seconds/],
    ['eventLoopBlockThresholdSeconds', '1e400', /positive number of seconds/],
    ['eventLoopBlockThresholdSeconds', '5ms', /positive number of seconds/],
    ['eventLoopBlockThresholdSeconds', '5 s', /positive number of seconds/],
    ['eventLoopBlockThresholdSeconds', '', /positive number of seconds/],
  ];
  for (const [key, raw, accepted] of badValues) {
    it(`rejects ${ENV[key]}=${JSON.stringify(raw)} naming the variable, the value and what is accepted`, () => {
      assert.throws(
        () => readHealthcheckConfig({ [ENV[key]]: raw }),
        (error: unknown) => {
          assert.ok(error instanceof HealthcheckConfigError);
          assert.equal(error.code, 'ERR_WORKER_HEALTH_CONFIG');
          assert.equal(error.setting, ENV[key]);
          assert.equal(error.value, raw);
          assert.ok(error.message.startsWith(`${ENV[key]}=${JSON.stringify(raw)} is not valid: expected `), error.message);
          assert.match(error.message, accepted);
          return true;
        },
      );
    });
  }

  it('ignores unrelated variables', () => {
    assert.equal(readHealthcheckConfig({ HATCHET_CLIENT_WORKER_HEALTHCHECK_PORTS: 'x', PORT: 'y' }).port, 8001);
  });
});

describe('option validators', () => {
  it('accepts port 0 in code (a free port) and rejects what is not a port', () => {
    assert.equal(validatePortOption(0), 0);
    assert.equal(validatePortOption(65535), 65535);
    for (const bad of [-1, 65536, 1.5, NaN, '8001', undefined]) {
      assert.throws(() => validatePortOption(bad), /^HealthcheckConfigError: port=.* is not valid: expected an integer from 0 to 65535/);
    }
  });

  it('accepts positive finite thresholds only', () => {
    assert.equal(validateThresholdOption(0.25), 0.25);
    for (const bad of [0, -1, NaN, Infinity, '5']) {
      assert.throws(() => validateThresholdOption(bad), /eventLoopBlockThresholdSeconds=.* is not valid/);
    }
  });

  it('names the option in a bad bind address', () => {
    assert.throws(() => validateBindAddress(42), /^HealthcheckConfigError: bindAddress=42 is not valid/);
  });
});

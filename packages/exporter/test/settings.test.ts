import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  HealthcheckConfigError,
  startWorkerHealthcheck,
  startWorkerHealthcheckFromEnv,
  type WorkerHealthcheckOptions,
} from '../src/index.js';
import { resolveSettings } from '../src/main/options.js';
import { sleep, until } from '@worker-health/testing';
import { ENV, startCrashable } from './helpers.js';
import { connect, type Socket } from 'node:net';

/** What a start does with these options: the port bound, or the error's message. */
async function outcome(
  start: (options: WorkerHealthcheckOptions) => Promise<{ port: number; shutdown(): Promise<void> } | undefined>,
  options: WorkerHealthcheckOptions,
) {
  try {
    const hc = await start(options);
    await hc?.shutdown();
    return hc ? 'started' : 'disabled';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe('one settings path', () => {
  const cases: Array<[string, WorkerHealthcheckOptions]> = [
    ['a port option over a malformed port variable', { workerName: 'w', port: 0, bindAddress: '127.0.0.1', env: { [ENV.port]: 'x' } }],
    [
      'a bind option over a malformed bind variable',
      { workerName: 'w', port: 0, bindAddress: '127.0.0.1', env: { [ENV.bind]: 'bad host' } },
    ],
    [
      'a threshold option over a malformed threshold variable',
      { workerName: 'w', port: 0, bindAddress: '127.0.0.1', eventLoopBlockThresholdSeconds: 2, env: { [ENV.threshold]: 'NaN' } },
    ],
    ['a malformed port variable', { workerName: 'w', bindAddress: '127.0.0.1', env: { [ENV.port]: 'x' } }],
    ['a malformed threshold variable', { workerName: 'w', port: 0, bindAddress: '127.0.0.1', env: { [ENV.threshold]: '1e-12' } }],
    ['a bad worker name', { workerName: '---', port: 0, env: {} }],
    ['an unknown option', { workerName: 'w', port: 0, prot: 8001, env: {} } as WorkerHealthcheckOptions],
    ['a good start', { workerName: 'w', port: 0, bindAddress: '127.0.0.1', env: {} }],
  ];
  for (const [what, options] of cases) {
    it(`both entry points agree: ${what}`, async () => {
      const direct = await outcome(startWorkerHealthcheck, options);
      const fromEnv = await outcome(startWorkerHealthcheckFromEnv, { ...options, env: { ...options.env, [ENV.enabled]: 'true' } });
      assert.equal(fromEnv, direct);
      // Disabled, the same options are still checked the same way.
      const disabled = await outcome(startWorkerHealthcheckFromEnv, { ...options, env: { ...options.env, [ENV.enabled]: 'false' } });
      assert.equal(disabled, direct === 'started' ? 'disabled' : direct);
    });
  }

  it('resolves ENABLED with everything else', () => {
    assert.equal(resolveSettings({ workerName: 'w', env: { [ENV.enabled]: 'yes' } }).enabled, true);
    assert.equal(resolveSettings({ workerName: 'w', env: {} }).enabled, false);
  });
});

describe('settings that can never work', () => {
  const rejects = (options: WorkerHealthcheckOptions, pattern: RegExp) =>
    assert.throws(
      () => resolveSettings(options),
      (error: unknown) => error instanceof HealthcheckConfigError && pattern.test(error.message),
    );

  it('a threshold below one heartbeat interval, as option or variable', () => {
    rejects(
      { workerName: 'w', eventLoopBlockThresholdSeconds: 1e-9, env: {} },
      /^eventLoopBlockThresholdSeconds=1e-9 is not valid: expected at least one heartbeat interval \(0\.1 s/,
    );
    rejects(
      { workerName: 'w', env: { [ENV.threshold]: '1e-12' } },
      /^HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS=1e-12 is not valid: expected at least one heartbeat interval/,
    );
    rejects(
      { workerName: 'w', heartbeatIntervalMs: 60_000, eventLoopBlockThresholdSeconds: 0.5, env: {} },
      /at least one heartbeat interval \(60 s with heartbeatIntervalMs=60000\)/,
    );
    assert.equal(
      resolveSettings({ workerName: 'w', heartbeatIntervalMs: 50, eventLoopBlockThresholdSeconds: 0.05, env: {} })
        .eventLoopBlockThresholdSeconds,
      0.05,
    );
  });

  it('a misspelt option, named with the nearest known one', () => {
    rejects(
      { workerName: 'w', prot: 1 } as WorkerHealthcheckOptions,
      /^prot=1 is not valid: expected no such option; did you mean `port`\?/,
    );
    rejects({ workerName: 'w', defaultmetrics: false } as WorkerHealthcheckOptions, /did you mean `defaultMetrics`\?/);
  });

  it('a dotted quad that is no IPv4 address', () => {
    rejects({ workerName: 'w', bindAddress: '999.1.1.1', env: {} }, /^bindAddress="999\.1\.1\.1" is not valid: .*not a valid IPv4 address/);
    rejects({ workerName: 'w', env: { [ENV.bind]: '1.2.3' } }, /not a valid IPv4 address/);
    assert.equal(resolveSettings({ workerName: 'w', bindAddress: '10.0.0.1', env: {} }).bindAddress, '10.0.0.1');
  });

  it('an onError that is not a function', () => {
    rejects({ workerName: 'w', onError: 'x' } as unknown as WorkerHealthcheckOptions, /^onError="x" is not valid: expected a function/);
  });

  it('a metricReader that is not a reader: a plain object, a MeterProvider', () => {
    rejects(
      { workerName: 'w', metricReader: {} } as unknown as WorkerHealthcheckOptions,
      /^metricReader=\(object\) is not valid: expected a MetricReader registered on your MeterProvider/,
    );
    const provider = new MeterProvider();
    rejects(
      { workerName: 'w', metricReader: provider } as unknown as WorkerHealthcheckOptions,
      /^metricReader="a MeterProvider" is not valid/,
    );
  });
});

describe('onError is never thrown into the host', () => {
  it('a handler that throws is contained: the crash and the handler failure become warnings', async (t) => {
    // process.emitWarning itself is watched (and restored after the test), so the warnings are seen here, not printed.
    const warnings: string[] = [];
    t.mock.method(process, 'emitWarning', (warning: string | Error) => {
      warnings.push(typeof warning === 'string' ? warning : warning.message);
    });
    const { hc, crash } = await startCrashable({
      workerName: 'w',
      port: 0,
      bindAddress: '127.0.0.1',
      onError: () => {
        throw new Error('handler bug');
      },
    });
    try {
      crash();
      await until(
        'the warnings',
        async () => (warnings.some((w) => /handler threw: Error: handler bug/.test(w)) ? true : undefined),
        5_000,
      );
      assert.ok(
        warnings.some((w) => /the health thread crashed/.test(w)),
        warnings.join('\n'),
      );
    } finally {
      await hc.shutdown();
    }
  });
});

describe('maxConnections', () => {
  it('is checked at start and reaches the server', async () => {
    assert.throws(
      () => resolveSettings({ workerName: 'w', maxConnections: 0 }),
      /^HealthcheckConfigError: maxConnections=0 is not valid: expected a whole number of connections, at least 1/,
    );
    assert.equal(resolveSettings({ workerName: 'w', env: {} }).maxConnections, 256);
    const hc = await startWorkerHealthcheck({ workerName: 'w', port: 0, bindAddress: '127.0.0.1', maxConnections: 2 });
    try {
      const sockets = await Promise.all([0, 1, 2].map(() => openIdle(hc.port)));
      await until('the oldest idle connection to be closed for the third', async () => (sockets[0]!.closed ? true : undefined), 5_000);
      assert.equal(sockets[2]!.closed, false);
      for (const s of sockets) s.socket.destroy();
    } finally {
      await hc.shutdown();
    }
  });
});

async function openIdle(port: number): Promise<{ socket: Socket; closed: boolean }> {
  const socket = connect(port, '127.0.0.1');
  const entry = { socket, closed: false };
  socket.on('close', () => (entry.closed = true)).on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  await sleep(50); // accepted by the server before the next one
  return entry;
}

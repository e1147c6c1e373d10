import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { startWorkerHealthcheck, type WorkerHealthcheck } from '@worker-health/exporter';
import { get, hasPrometheusTools, parseExposition, sleep, until } from '@worker-health/testing';
import {
  HATCHET_WORKER_FAMILIES,
  HatchetHookError,
  HatchetWatchError,
  SdkVersionUntestedWarning,
  watchHatchetWorker,
} from '../src/index.js';
import { fakeSdk } from './fake-sdk.js';
import { sample } from './harness.js';

const F = HATCHET_WORKER_FAMILIES;

async function withHealthcheck(
  body: (healthcheck: WorkerHealthcheck) => Promise<void>,
  metricNameForm: 'suffix' | 'label' = 'suffix',
): Promise<void> {
  const healthcheck = await startWorkerHealthcheck({
    workerName: 'fake_worker',
    metricNameForm,
    port: 0,
    bindAddress: '127.0.0.1',
    defaultMetrics: false,
    onError: (error) => assert.fail(error),
  });
  try {
    await body(healthcheck);
  } finally {
    await healthcheck.shutdown();
  }
}

const page = async (healthcheck: WorkerHealthcheck) => parseExposition((await get(healthcheck.port, '/metrics')).body);

test('an SDK of version 1.99.0 with every hook point: watched, with one warning saying what was tested', () =>
  withHealthcheck(async (healthcheck) => {
    const sdk = fakeSdk('1.99.0');
    const warnings: Error[] = [];
    const unwatch = watchHatchetWorker(healthcheck, { hatchet: sdk.hatchet, worker: sdk.worker, onWarning: (w) => warnings.push(w) });
    await sdk.worker.start();
    sdk.beat();
    await until('HEALTHY', async () => (healthcheck.status() === 'HEALTHY' ? true : undefined), 2_000);
    assert.equal(warnings.length, 1, warnings.map((w) => w.message).join('\n'));
    assert.ok(warnings[0] instanceof SdkVersionUntestedWarning);
    assert.equal((warnings[0] as SdkVersionUntestedWarning).code, 'WORKER_HEALTH_HATCHET_SDK_UNTESTED');
    assert.match(warnings[0]!.message, /1\.99\.0 is newer .*tested up to 1\.33\.2/);

    const families = await until(
      'the families',
      async () => {
        const f = await page(healthcheck);
        return sample(f, F.heartbeatsSucceeded.name) === 1 ? f : undefined;
      },
      3_000,
    );
    assert.deepEqual(
      [F.status, F.slots, F.actions].map((family) => sample(families, family.name)),
      [1, 3, 1],
    );
    assert.equal(sample(families, F.streamConnections.name), 1);
    assert.equal(sample(families, F.listenerReason.name, { reason: 'healthy' }), 1);

    await sdk.worker.stop();
    assert.equal(healthcheck.status(), 'UNHEALTHY');
    unwatch();
  }));

test('an SDK of version 1.99.0 with a hook point missing: HatchetHookError naming the version and the path, nothing hooked', () =>
  withHealthcheck(async (healthcheck) => {
    for (const [remove, path] of [
      [
        (sdk: ReturnType<typeof fakeSdk>) => delete (sdk.internal as { exitGracefully?: unknown }).exitGracefully,
        'worker._internal.exitGracefully',
      ],
      [
        (sdk: ReturnType<typeof fakeSdk>) => delete (sdk.hatchet.dispatcher.client as { listenV2?: unknown }).listenV2,
        'hatchet.dispatcher.client.listenV2',
      ],
      [
        (sdk: ReturnType<typeof fakeSdk>) => delete (sdk.hatchet.dispatcher as { sendStepActionEvent?: unknown }).sendStepActionEvent,
        'hatchet.dispatcher.sendStepActionEvent',
      ],
    ] as const) {
      const sdk = fakeSdk('1.99.0');
      remove(sdk);
      const listenBefore = sdk.hatchet.dispatcher.getActionListener;
      const warnings: Error[] = [];
      assert.throws(
        () => watchHatchetWorker(healthcheck, { hatchet: sdk.hatchet, worker: sdk.worker, onWarning: (w) => warnings.push(w) }),
        (error: unknown) => {
          assert.ok(error instanceof HatchetHookError);
          assert.equal(error.code, 'ERR_WORKER_HEALTH_HATCHET_HOOK');
          assert.equal(error.sdkVersion, '1.99.0');
          assert.equal(error.missing, path);
          assert.match(error.message, new RegExp(`typescript-sdk 1\\.99\\.0 has no ${path.replaceAll('.', '\\.')}`));
          return true;
        },
      );
      assert.equal(sdk.hatchet.dispatcher.getActionListener, listenBefore, 'nothing was hooked');
      assert.deepEqual(warnings, []);
    }
  }));

test('something a family reads is missing: one HatchetHookError warning naming it, that family not served, the rest as usual', () =>
  withHealthcheck(async (healthcheck) => {
    const sdk = fakeSdk('1.33.2');
    delete sdk.internal.slotConfig;
    const warnings: Error[] = [];
    const unwatch = watchHatchetWorker(healthcheck, { hatchet: sdk.hatchet, worker: sdk.worker, onWarning: (w) => warnings.push(w) });
    assert.equal(warnings.length, 1, warnings.map((w) => w.message).join('\n'));
    assert.ok(warnings[0] instanceof HatchetHookError);
    assert.equal((warnings[0] as HatchetHookError).missing, 'worker._internal.slotConfig');
    assert.match(warnings[0]!.message, /the metric families that read it are not served; the listener is watched as usual/);
    await sdk.worker.start();
    sdk.beat();
    await until('HEALTHY', async () => (healthcheck.status() === 'HEALTHY' ? true : undefined), 2_000);
    const families = await page(healthcheck);
    assert.equal(families.get(F.slotsFree.name)?.samples.length ?? 0, 0);
    assert.equal(sample(families, F.slots.name), 3);
    unwatch();
  }));

test('a cancel removes the pending task without counting it as started: never late, no start delay, no started report', () =>
  withHealthcheck(async (healthcheck) => {
    const sdk = fakeSdk('1.33.2');
    const unwatch = watchHatchetWorker(healthcheck, { hatchet: sdk.hatchet, worker: sdk.worker, taskStartThresholdSeconds: 0.2 });
    await sdk.worker.start();
    sdk.beat();
    await until('HEALTHY', async () => (healthcheck.status() === 'HEALTHY' ? true : undefined), 2_000);
    const action = { actionType: 0, taskRunExternalId: 'run-1', actionId: 'fake:quick' };
    sdk.stream.push(action);
    await until('received', async () => (sample(await page(healthcheck), F.tasksReceived.name) === 1 ? true : undefined), 2_000);
    sdk.stream.push({ ...action, actionType: 1 });
    await sleep(500); // past the 0.2 s task-start threshold
    assert.equal(healthcheck.status(), 'HEALTHY', 'a cancelled task is not late');
    const families = await page(healthcheck);
    assert.equal(sample(families, F.tasksStarted.name), 0);
    assert.equal(sample(families, F.taskStartDelay.name, {}, `${F.taskStartDelay.name}_count`) ?? 0, 0);
    assert.equal(sample(families, F.listenerReason.name, { reason: 'healthy' }), 1);

    // The same task not cancelled: late past the threshold, then HEALTHY at its STARTED report.
    sdk.stream.push({ ...action, taskRunExternalId: 'run-2' });
    await until('late', async () => (healthcheck.status() === 'UNHEALTHY' ? true : undefined), 2_000);
    assert.equal(sample(await page(healthcheck), F.listenerReason.name, { reason: 'task_start_late' }), 1);
    await sdk.hatchet.dispatcher.sendStepActionEvent({ eventType: 1, taskRunExternalId: 'run-2' });
    assert.equal(healthcheck.status(), 'HEALTHY');
    assert.equal(sample(await page(healthcheck), F.tasksStarted.name), 1);
    unwatch();
  }));

test('one watched worker per healthcheck at a time; after unwatch() another is watched, on the same families', () =>
  withHealthcheck(async (healthcheck) => {
    const first = fakeSdk('1.33.2');
    const unwatch = watchHatchetWorker(healthcheck, { hatchet: first.hatchet, worker: first.worker });
    const second = fakeSdk('1.33.2');
    assert.throws(
      () => watchHatchetWorker(healthcheck, { hatchet: second.hatchet, worker: second.worker }),
      (error: unknown) => error instanceof HatchetWatchError && error.code === 'ERR_WORKER_HEALTH_HATCHET_HEALTHCHECK_WATCHED',
    );
    assert.throws(
      () => watchHatchetWorker(healthcheck, { hatchet: first.hatchet, worker: first.worker }),
      (error: unknown) => error instanceof HatchetWatchError && error.code === 'ERR_WORKER_HEALTH_HATCHET_WATCHED',
    );
    unwatch();
    const again = watchHatchetWorker(healthcheck, { hatchet: second.hatchet, worker: second.worker });
    await second.worker.start();
    assert.equal(sample(await page(healthcheck), F.streamConnections.name), 1);
    again();
  }));

for (const form of ['suffix', 'label'] as const) {
  test(`every family written, in the ${form} form: the page passes promtool check metrics with no finding`, async (t) => {
    if (!hasPrometheusTools(t)) return;
    await withHealthcheck(async (healthcheck) => {
      const sdk = fakeSdk('1.33.2');
      const unwatch = watchHatchetWorker(healthcheck, { hatchet: sdk.hatchet, worker: sdk.worker });
      await sdk.worker.start();
      sdk.beat();
      sdk.stream.push({ actionType: 0, taskRunExternalId: 'run-1', actionId: 'fake:quick' });
      await until(
        'received',
        async () =>
          (sample(await page(healthcheck), F.tasksReceived.name, form === 'label' ? { worker: 'fake_worker' } : {}) ?? 0) === 1
            ? true
            : undefined,
        2_000,
      );
      await sdk.hatchet.dispatcher.sendStepActionEvent({ eventType: 1, taskRunExternalId: 'run-1' });
      await sdk.hatchet.dispatcher.sendStepActionEvent({ eventType: 3, taskRunExternalId: 'run-1' });
      sdk.heartbeatThread.emit('message', { type: 'error', message: 'Failed to send heartbeat: /Dispatcher/Heartbeat NOT_FOUND: gone' });
      const text = (await get(healthcheck.port, '/metrics')).body;
      for (const spec of Object.values(F)) assert.match(text, new RegExp(`^# TYPE ${spec.name} `, 'm'), `${spec.name} is served`);
      const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      assert.equal(promtool.status, 0, `${promtool.stdout}${promtool.stderr}`);
      assert.equal(`${promtool.stdout}${promtool.stderr}`, '');
      unwatch();
    }, form);
  });
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HATCHET_HEALTH_WINDOWS } from '../src/index.js';
import { COMPLETED, Run, sleep, STARTED } from './harness.js';

const WINDOW = HATCHET_HEALTH_WINDOWS.heartbeatWindowMs;
// Loose bounds: the machine is shared, so these only catch a missing or wrong window, not jitter.
const SLACK_MS = 3_000;

/** The scenarios against a real worker of the SDK installed as `sdk`, reporting `version`. */
export function scenarios(sdk: string, version: string): void {
  const withRun = (env: NodeJS.ProcessEnv, options: Parameters<Run['start']>[1], body: (run: Run) => Promise<void>) => async () => {
    const run = new Run(sdk);
    try {
      await run.start(env, options);
      await body(run);
    } finally {
      await run.close();
    }
  };

  describe(`Hatchet SDK ${version} against the fake engine`, { concurrency: 4 }, () => {
    test(
      '1. start: STARTING, then HEALTHY; a task assigned on the stream runs and completes',
      withRun({}, { until: '' }, async (run) => {
        assert.equal((await run.health()).status, 'STARTING');
        await run.child.next('watching', 30_000);
        await run.waitFor('HEALTHY', 15_000);
        assert.ok(run.engine.heartbeats >= 1, 'HEALTHY only after a heartbeat succeeded');
        const id = run.engine.assign('quick');
        await run.event(id, COMPLETED);
        assert.deepEqual(
          run.engine.eventsOf(id).map((event) => event.eventType),
          [STARTED, COMPLETED],
        );
        assert.equal((await run.health()).status, 'HEALTHY');
      }),
    );

    test(
      '2. heartbeats refused: UNHEALTHY within the window, HEALTHY on recovery; heartbeats that hang: UNHEALTHY',
      withRun({}, {}, async (run) => {
        await run.waitFor('HEALTHY', 15_000);
        run.engine.heartbeatMode = 'unavailable';
        const failedAfter = await run.waitFor('UNHEALTHY', WINDOW + SLACK_MS);
        assert.ok(failedAfter > 1_000, `one refused beat must not flip the status at once (${failedAfter} ms)`);
        run.engine.heartbeatMode = 'ok';
        await run.waitFor('HEALTHY', HATCHET_HEALTH_WINDOWS.sdkHeartbeatIntervalMs + SLACK_MS);
        run.engine.heartbeatMode = 'hang';
        await run.waitFor('UNHEALTHY', WINDOW + SLACK_MS);
        run.engine.heartbeatMode = 'ok';
        // The stream stayed open through all of it.
        assert.equal(run.engine.openStreams, 1);
      }),
    );

    test(
      '3. stream broken and reconnects refused: UNHEALTHY at once, HEALTHY after the SDK reconnects',
      withRun({}, {}, async (run) => {
        await run.waitFor('HEALTHY', 15_000);
        const calls = run.engine.listenCalls;
        run.engine.refuseListen = true;
        run.engine.breakStreams();
        assert.ok((await run.waitFor('UNHEALTHY', 1_500)) < 1_500);
        // The SDK retries after 5 s; that attempt is refused and the status stays UNHEALTHY.
        while (run.engine.listenCalls === calls) await sleep(100);
        const during = await run.sample(1_000);
        assert.ok(
          during.every((status) => status === 'UNHEALTHY'),
          during.join(),
        );
        run.engine.refuseListen = false;
        await run.waitFor('HEALTHY', 20_000);
        assert.equal(run.engine.openStreams, 1);
      }),
    );

    test(
      '4. engine down at start: STARTING, then UNHEALTHY after 10 s; no crash, no unhandled rejection',
      withRun({}, { engineUp: false, until: '' }, async (run) => {
        const started = performance.now();
        assert.equal((await run.health()).status, 'STARTING');
        // The grace period runs from the healthcheck's creation, a little before this test hears of it:
        // sample well inside it, then expect UNHEALTHY soon after it.
        const seen = await run.sample(7_000 - (performance.now() - started));
        assert.ok(
          seen.every((status) => status === 'STARTING'),
          seen.join(),
        );
        await run.waitFor('UNHEALTHY', 6_000);
        // hatchet.worker() gives up (its retrier), the fixture reports it and exits by itself.
        const error = await run.child.next('workerError', 30_000);
        assert.match(String(error.workerError), /./);
        assert.deepEqual(await run.child.exited(), { code: 3, signal: null });
        assert.ok(!run.child.stderr.includes('Unhandled'), run.child.stderr);
        assert.doesNotMatch(JSON.stringify(run.child), /"unhandled"/);
      }),
    );

    test(
      '5. a task that blocks the event loop past the threshold: 503 during the block',
      withRun({}, {}, async (run) => {
        await run.waitFor('HEALTHY', 15_000);
        const id = run.engine.assign('block', { ms: 3_000 });
        const during = await run.sample(2_500);
        assert.ok(during.includes('UNHEALTHY'), `no 503 while blocked: ${during.join()}`);
        await run.event(id, COMPLETED);
        await run.waitFor('HEALTHY', 5_000);
      }),
    );

    test(
      '6. tasks beyond the slots: the SDK starts every received task at once; only a blocked loop holds one back',
      withRun({ FIXTURE_SLOTS: '1' }, {}, async (run) => {
        await run.waitFor('HEALTHY', 15_000);
        // Three tasks on a one-slot worker (an engine can do this after a reconnect).
        const ids = [1, 2, 3].map(() => run.engine.assign('sleep', { ms: 1_500 }));
        const statuses = await run.sample(800);
        const starts = await Promise.all(ids.map((id) => run.event(id, STARTED, 2_000)));
        assert.ok(Math.max(...starts) - Math.min(...starts) < 1_000, 'the SDK holds no received task back');
        assert.ok(
          statuses.every((status) => status === 'HEALTHY'),
          statuses.join(),
        );
        await Promise.all(ids.map((id) => run.event(id, COMPLETED)));
        // A task sent while another blocks the loop is read off the socket, and started,
        // only when the block ends; the block itself is what turns /health 503 meanwhile.
        const blocker = run.engine.assign('block', { ms: 2_500 });
        await sleep(500);
        const sentAt = performance.now();
        const behind = run.engine.assign('quick');
        const during = await run.sample(1_500);
        assert.ok(during.includes('UNHEALTHY'), during.join());
        await run.event(blocker, COMPLETED);
        const heldMs = (await run.event(behind, STARTED)) - sentAt;
        assert.ok(heldMs > 1_000, `the task behind the block started after ${heldMs} ms`);
        await run.waitFor('HEALTHY', 5_000);
      }),
    );

    test(
      '7a. worker.stop(): UNHEALTHY before the process exits',
      withRun({}, {}, async (run) => {
        await run.waitFor('HEALTHY', 15_000);
        const id = run.engine.assign('sleep', { ms: 2_000 });
        await run.event(id, STARTED);
        run.child.send('stop');
        await run.waitFor('UNHEALTHY', 1_500);
        assert.equal(run.child.process.exitCode, null, 'still running its task');
        const stopped = await run.child.next('stopped', 10_000);
        assert.equal(stopped.status, 'UNHEALTHY');
        await run.event(id, COMPLETED);
        assert.deepEqual(await run.child.exited(), { code: 0, signal: null });
      }),
    );

    test(
      '7b. SIGTERM (the SDK handles it and exits): UNHEALTHY before the process exits',
      withRun({}, {}, async (run) => {
        await run.waitFor('HEALTHY', 15_000);
        const id = run.engine.assign('sleep', { ms: 2_000 });
        await run.event(id, STARTED);
        run.child.process.kill('SIGTERM');
        await run.waitFor('UNHEALTHY', 1_500);
        assert.equal(run.child.process.exitCode, null, 'still finishing its task');
        assert.deepEqual(await run.child.exited(), { code: 0, signal: null });
        await run.event(id, COMPLETED);
        assert.deepEqual(run.engine.paused, [run.engine.workerId], 'the SDK paused the worker on the engine');
      }),
    );

    test(
      "8. the SDK's own health server enabled on the same port: taken out, no port fight",
      withRun({ HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED: 'true', FIXTURE_MODE: 'sdk-health-server' }, {}, async (run) => {
        await run.waitFor('HEALTHY', 15_000);
        assert.equal(run.engine.registrations, 1, 'the worker registered');
        const health = await run.health();
        assert.deepEqual(health.body, { status: 'HEALTHY' }, "ours answers, not the SDK's (which adds name, slots, ...)");
      }),
    );

    test(
      '8 (without the adapter). the same set-up without watchHatchetWorker: the SDK loses the port and never registers',
      withRun({ HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED: 'true', FIXTURE_MODE: 'sdk-health-server-unwatched' }, {}, async (run) => {
        await sleep(2_000);
        assert.equal(run.engine.registrations, 0);
        assert.equal((await run.health()).status, 'STARTING');
      }),
    );

    for (const [mode, missing] of [
      ['missing-exit', 'worker._internal.exitGracefully'],
      ['missing-listen', 'hatchet.dispatcher.client.listenV2'],
    ] as const) {
      test(
        `9. ${missing} missing: watchHatchetWorker throws naming the SDK version and the hook point`,
        withRun({ FIXTURE_MODE: mode }, { until: '' }, async (run) => {
          const { watchError } = (await run.child.next('watchError', 30_000)) as {
            watchError: { name: string; code: string; message: string };
          };
          assert.equal(watchError.name, 'HatchetHookError');
          assert.equal(watchError.code, 'ERR_WORKER_HEALTH_HATCHET_HOOK');
          assert.ok(watchError.message.includes(`@hatchet-dev/typescript-sdk ${version} has no ${missing}`), watchError.message);
        }),
      );
    }

    test(
      '9. a hook point the SDK makes at run time is missing: a warning naming it, and never HEALTHY',
      withRun({ FIXTURE_MODE: 'missing-heartbeat' }, {}, async (run) => {
        const warning = await run.child.next('warning', 15_000);
        assert.equal(warning.code, 'ERR_WORKER_HEALTH_HATCHET_HOOK');
        assert.ok(String(warning.warning).includes(`${version} has no listener.heartbeat.heartbeatWorker`), String(warning.warning));
        const seen = await run.sample(2_000);
        assert.ok(
          seen.every((status) => status === 'UNHEALTHY'),
          seen.join(),
        );
      }),
    );
  });
}

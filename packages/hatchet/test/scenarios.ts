import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { freePort } from '@worker-health/testing';
import { HATCHET_HEALTH_WINDOWS, HATCHET_WORKER_FAMILIES, LISTENER_REASONS } from '../src/index.js';
import { COMPLETED, FAILED, familyLines, Run, sample, sleep, STARTED } from './harness.js';

const WINDOW = HATCHET_HEALTH_WINDOWS.heartbeatWindowMs;
// Loose bounds: the machine is shared, so these only catch a missing or wrong window, not jitter.
const SLACK_MS = 3_000;
const F = Object.fromEntries(Object.entries(HATCHET_WORKER_FAMILIES).map(([key, spec]) => [key, spec.name])) as {
  [K in keyof typeof HATCHET_WORKER_FAMILIES]: (typeof HATCHET_WORKER_FAMILIES)[K]['name'];
};
const SDK_FAMILIES = [F.status, F.slots, F.actions];

type Body = (run: Run) => Promise<void>;
const runWith = (sdk: string, env: NodeJS.ProcessEnv, options: Parameters<Run['start']>[1], body: Body) => async () => {
  const run = new Run(sdk);
  try {
    await run.start(env, options);
    await body(run);
  } finally {
    await run.close();
  }
};

/** The reason gauge's current reason: the one reason at 1, every other at 0 (asserted). */
async function reasonOf(run: Run, labels: Record<string, string> = {}): Promise<string> {
  const families = await run.metrics();
  const ones = LISTENER_REASONS.filter((reason) => sample(families, F.listenerReason, { ...labels, reason }) === 1);
  const zeros = LISTENER_REASONS.filter((reason) => sample(families, F.listenerReason, { ...labels, reason }) === 0);
  assert.equal(
    ones.length + zeros.length,
    LISTENER_REASONS.length,
    `every reason is served: ${JSON.stringify(families.get(F.listenerReason))}`,
  );
  assert.equal(ones.length, 1, `one reason at 1: ${ones.join()}`);
  return ones[0]!;
}

/** Waits until the reason gauge says `reason`. */
async function reasonBecomes(run: Run, reason: string, timeoutMs: number, labels: Record<string, string> = {}): Promise<void> {
  await run.metricsUntil(`reason ${reason}`, (families) => sample(families, F.listenerReason, { ...labels, reason }) === 1, timeoutMs);
  assert.equal(await reasonOf(run, labels), reason);
}

/** The sum of `hatchet_worker_heartbeats_failed_total` over its codes, and the codes seen. */
function heartbeatFailures(families: Awaited<ReturnType<Run['metrics']>>): { total: number; codes: Record<string, number> } {
  const codes: Record<string, number> = {};
  for (const s of families.get(F.heartbeatsFailed)?.samples ?? []) {
    const code = /code="([^"]*)"/.exec(s.labels)?.[1] ?? '';
    codes[code] = s.value;
  }
  return { total: Object.values(codes).reduce((a, b) => a + b, 0), codes };
}

/**
 * The SDK's own health server beside ours (on another free port, so the adapter leaves it on): its
 * three families and ours, line for line after sorting, values included. Polls until both pages
 * agree: our values follow the SDK's at each event and at least every second.
 */
async function sdkFamiliesAgree(run: Run, sdkPort: number, what: string): Promise<string[]> {
  const started = performance.now();
  let ours: string[] = [];
  let theirs: string[] = [];
  while (performance.now() - started < 5_000) {
    theirs = familyLines(await run.metricsText(sdkPort), SDK_FAMILIES);
    ours = familyLines(await run.metricsText(), SDK_FAMILIES);
    if (theirs.length === 9 && JSON.stringify(ours) === JSON.stringify(theirs)) return ours;
    await sleep(100);
  }
  assert.equal(theirs.length, 9, `the SDK's server serves HELP, TYPE and one sample of each of the three: ${theirs.join('\n')}`);
  assert.deepEqual(ours, theirs, `${what}: ours and the SDK's differ`);
  return ours;
}

/** The scenarios against a real worker of the SDK installed as `sdk`, reporting `version`. */
export function scenarios(sdk: string, version: string): void {
  const withRun = (env: NodeJS.ProcessEnv, options: Parameters<Run['start']>[1], body: Body) => runWith(sdk, env, options, body);

  describe(`Hatchet SDK ${version} against the fake engine`, { concurrency: 4 }, () => {
    test(
      '1. start: STARTING, then HEALTHY; a task assigned on the stream runs and completes, and the task families move',
      withRun({}, { until: '' }, async (run) => {
        assert.equal((await run.health()).status, 'STARTING');
        await run.child.next('watching', 30_000);
        await run.waitFor('HEALTHY', 15_000);
        assert.ok(run.engine.heartbeats >= 1, 'HEALTHY only after a heartbeat succeeded');
        assert.equal(await reasonOf(run), 'healthy');
        const before = await run.metrics();
        assert.equal(sample(before, F.tasksReceived), 0, 'the counters are served from 0');
        assert.equal(sample(before, F.tasksStarted), 0);
        assert.equal(sample(before, F.streamConnections), 1);
        assert.ok((sample(before, F.heartbeatsSucceeded) ?? 0) >= 1);
        assert.deepEqual(
          [sample(before, F.slotsInUse, { slot_type: 'default' }), sample(before, F.slotsFree, { slot_type: 'default' })],
          [0, 5],
        );
        assert.deepEqual(
          [sample(before, F.slotsInUse, { slot_type: 'durable' }), sample(before, F.slotsFree, { slot_type: 'durable' })],
          [0, 2],
        );
        for (const name of [F.tasksReceived, F.streamConnections, F.status]) {
          assert.doesNotMatch(JSON.stringify(before.get(name)?.samples), /worker=/, 'the suffix form adds no worker label');
        }

        const id = run.engine.assign('quick');
        // Both, each once, in either order: the SDK sends STARTED without waiting for it
        // (worker-internal.js, `sendStepActionEvent(event).catch(…)`) and COMPLETED on a call of
        // its own, so the engine may get COMPLETED first.
        await run.event(id, COMPLETED);
        await run.event(id, STARTED);
        assert.deepEqual(
          run.engine
            .eventsOf(id)
            .map((event) => event.eventType)
            .sort(),
          [STARTED, COMPLETED].sort(),
        );
        assert.equal((await run.health()).status, 'HEALTHY');
        const after = await run.metricsUntil('the task completed', (f) => sample(f, F.tasksCompleted) === 1 && f);
        assert.deepEqual(
          [F.tasksReceived, F.tasksStarted, F.tasksCompleted, F.tasksFailed].map((name) => sample(after, name)),
          [1, 1, 1, 0],
        );
        assert.equal(sample(after, F.taskStartDelay, {}, `${F.taskStartDelay}_count`), 1, 'one start delay observed');
        const delay = sample(after, F.taskStartDelay, {}, `${F.taskStartDelay}_sum`)!;
        assert.ok(delay >= 0 && delay < 1, `received → STARTED took ${delay} s`);
        assert.equal(sample(after, F.slotsInUse, { slot_type: 'default' }), 0, 'the slot is free again');

        // A task that runs a while holds a slot of its pool; one that fails moves the failed counter.
        const sleeping = run.engine.assign('sleep', { ms: 1_500 });
        await run.event(sleeping, STARTED);
        const during = await run.metrics();
        assert.deepEqual(
          [sample(during, F.slotsInUse, { slot_type: 'default' }), sample(during, F.slotsFree, { slot_type: 'default' })],
          [1, 4],
        );
        assert.equal(sample(during, F.slotsInUse, { slot_type: 'durable' }), 0);
        const failing = run.engine.assign('fail');
        await run.event(failing, FAILED);
        await run.event(sleeping, COMPLETED);
        const end = await run.metricsUntil(
          'both tasks ended',
          (f) => sample(f, F.tasksCompleted) === 2 && sample(f, F.tasksFailed) === 1 && f,
        );
        assert.deepEqual(
          [F.tasksReceived, F.tasksStarted].map((name) => sample(end, name)),
          [3, 3],
        );
        assert.equal(sample(end, F.taskStartDelay, {}, `${F.taskStartDelay}_count`), 3);
        await run.metricsUntil('the slots free again', (f) => sample(f, F.slotsInUse, { slot_type: 'default' }) === 0);
      }),
    );

    test(
      '2. heartbeats refused: UNHEALTHY within the window, HEALTHY on recovery; heartbeats that hang: UNHEALTHY; the heartbeat families follow',
      withRun({}, {}, async (run) => {
        await run.waitFor('HEALTHY', 15_000);
        const okBefore = sample(await run.metrics(), F.heartbeatsSucceeded)!;
        run.engine.heartbeatMode = 'unavailable';
        const failedAfter = await run.waitFor('UNHEALTHY', WINDOW + SLACK_MS);
        assert.ok(failedAfter > 1_000, `one refused beat must not flip the status at once (${failedAfter} ms)`);
        assert.equal(await reasonOf(run), 'heartbeats_failing');
        const age = sample(await run.metrics(), F.heartbeatAge)!;
        assert.ok(age >= WINDOW / 1000 - 1, `seconds since the last answered beat: ${age}`);
        while (run.engine.heartbeatsRefused < 2) await sleep(50);
        run.engine.heartbeatMode = 'ok';
        await run.waitFor('HEALTHY', HATCHET_HEALTH_WINDOWS.sdkHeartbeatIntervalMs + SLACK_MS);
        const recovered = await run.metricsUntil(
          'an answered beat after the refusals',
          (f) => (sample(f, F.heartbeatsSucceeded) ?? 0) > okBefore && f,
        );
        assert.ok(sample(recovered, F.heartbeatAge)! < HATCHET_HEALTH_WINDOWS.sdkHeartbeatIntervalMs / 1000 + 1);
        // Each refusal counted once, by code: UNAVAILABLE as the SDK reports it, UNKNOWN for the
        // first of the run where the SDK keeps that one to itself (1.28 and newer).
        const refused = run.engine.heartbeatsRefused;
        const failures = heartbeatFailures(recovered);
        assert.equal(failures.total, refused, JSON.stringify(failures));
        assert.ok((failures.codes.UNAVAILABLE ?? 0) >= 1, JSON.stringify(failures));
        assert.deepEqual(
          Object.keys(failures.codes).filter((code) => code !== 'UNAVAILABLE' && code !== 'UNKNOWN'),
          [],
        );
        // A refusal the SDK never treats as transient is reported at once, with its code.
        run.engine.heartbeatMode = 'not-found';
        await run.metricsUntil('a NOT_FOUND failure', (f) => (heartbeatFailures(f).codes.NOT_FOUND ?? 0) >= 1, WINDOW);
        run.engine.heartbeatMode = 'hang';
        await run.waitFor('UNHEALTHY', WINDOW + SLACK_MS);
        run.engine.heartbeatMode = 'ok';
        // The stream stayed open through all of it.
        assert.equal(run.engine.openStreams, 1);
        assert.equal(sample(await run.metrics(), F.streamConnections), 1);
      }),
    );

    test(
      '3. stream broken and reconnects refused: UNHEALTHY at once, HEALTHY after the SDK reconnects',
      withRun({}, {}, async (run) => {
        await run.waitFor('HEALTHY', 15_000);
        const calls = run.engine.listenCalls;
        const before = await run.metrics();
        assert.deepEqual([sample(before, F.streamConnections), sample(before, F.streamEnds)], [1, 0]);
        run.engine.refuseListen = true;
        run.engine.breakStreams();
        assert.ok((await run.waitFor('UNHEALTHY', 1_500)) < 1_500);
        await reasonBecomes(run, 'stream_down', 1_000);
        assert.equal(sample(await run.metrics(), F.streamEnds), 1);
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
        assert.equal(await reasonOf(run), 'healthy');
        // Every listen call the SDK made opened a stream here; all but the last ended.
        const after = await run.metrics();
        assert.equal(sample(after, F.streamConnections), run.engine.listenCalls);
        assert.equal(sample(after, F.streamEnds), run.engine.listenCalls - 1);
        assert.ok(run.engine.listenCalls >= 3, `the first stream, a refused reconnect, the one that held: ${run.engine.listenCalls}`);
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
      '5. a task that blocks the event loop for 3 s: 503 during the block, and /metrics serves the families as of its start',
      withRun({}, {}, async (run) => {
        await run.waitFor('HEALTHY', 15_000);
        const before = await run.metrics();
        const id = run.engine.assign('block', { ms: 3_000 });
        // The task is read off the stream, then runs synchronously: wait for the block to begin.
        await run.metricsUntil('the block task received', (f) => sample(f, F.tasksReceived) === 1);
        const firstAt = performance.now();
        const first = await run.metrics();
        await sleep(1_000);
        const second = await run.metrics();
        const scrapeMs = performance.now() - firstAt;
        const during = await run.sample(600);
        assert.ok(during.includes('UNHEALTHY'), `no 503 while blocked: ${during.join()}`);
        assert.ok(run.engine.eventsOf(id).length === 0, 'both scrapes fell inside the block (the task had not reported STARTED)');
        for (const families of [first, second]) {
          assert.equal(sample(families, F.tasksReceived), 1);
          assert.equal(sample(families, F.tasksStarted), 0, 'STARTED is sent after the block');
          assert.equal(sample(families, F.slotsInUse, { slot_type: 'default' }), 1, 'the blocking task holds its slot');
          for (const name of SDK_FAMILIES) assert.equal(sample(families, name), sample(before, name), `${name} as of the block's start`);
        }
        // The heartbeat age is computed at scrape time by the health thread: it grows during the block.
        const grew = sample(second, F.heartbeatAge)! - sample(first, F.heartbeatAge)!;
        assert.ok(grew > 0.5 && grew <= scrapeMs / 1000 + 0.1, `heartbeat age grew ${grew} s over ${scrapeMs} ms`);
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
        assert.equal(await reasonOf(run), 'stopping');
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

    test("10. the SDK's own three families equal its server's, beside ours; the label form; a cancelled run frees its slot", async () => {
      const sdkPort = await freePort();
      await runWith(
        sdk,
        {
          HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED: 'true',
          HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT: String(sdkPort),
          FIXTURE_METRIC_NAME_FORM: 'label',
        },
        {},
        async (run) => {
          await run.waitFor('HEALTHY', 15_000);
          const idle = await sdkFamiliesAgree(run, sdkPort, 'idle');
          assert.ok(idle.includes(`${F.slots} 7`) && idle.includes(`${F.status} 1`) && idle.includes(`${F.actions} 4`), idle.join('\n'));
          const id = run.engine.assign('sleep', { ms: 2_000 });
          await run.event(id, STARTED);
          assert.ok((await sdkFamiliesAgree(run, sdkPort, 'a task running')).includes(`${F.slots} 6`));
          await run.event(id, COMPLETED);
          await sdkFamiliesAgree(run, sdkPort, 'the task done');

          // The label form: every family of this package carries the worker, the SDK's three do not.
          const worker = { worker: 'fixture_worker' };
          const page = await run.metrics();
          for (const [key, spec] of Object.entries(HATCHET_WORKER_FAMILIES)) {
            const samples = page.get(spec.name)?.samples ?? [];
            if (key === 'heartbeatsFailed') continue; // no failure: no series
            assert.ok(samples.length > 0, `${spec.name} is served`);
            for (const s of samples) {
              if ('sdk' in spec) assert.equal(s.labels, '', `${spec.name} as the SDK serves it`);
              else assert.match(s.labels, /worker="fixture_worker"/, `${s.name}${s.labels}`);
            }
          }
          assert.equal(await reasonOf(run, worker), 'healthy');

          // A run the engine cancels: no report follows; its slot is free once the SDK cleaned it up.
          const cancelled = run.engine.assign('sleep', { ms: 4_000 });
          await run.event(cancelled, STARTED);
          assert.equal(sample(await run.metrics(), F.slotsInUse, { ...worker, slot_type: 'default' }), 1);
          run.engine.cancel(cancelled);
          await run.metricsUntil(
            'the cancelled run leaving its slot',
            (f) => sample(f, F.slotsInUse, { ...worker, slot_type: 'default' }) === 0,
            5_000,
          );
          const after = await run.metrics();
          assert.deepEqual(
            [F.tasksReceived, F.tasksStarted, F.tasksCompleted, F.tasksFailed].map((name) => sample(after, name, worker)),
            [2, 2, 1, 0],
          );
          assert.deepEqual(
            run.engine.eventsOf(cancelled).map((event) => event.eventType),
            [STARTED],
          );
          await sdkFamiliesAgree(run, sdkPort, 'after the cancel');
        },
      )();
    });

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

/**
 * The smaller set, for the SDK versions between the oldest and the newest: one worker through
 * start → HEALTHY → stream broken → UNHEALTHY → reconnect → HEALTHY → stop, with the SDK's
 * three families checked against its own server and each new family moving.
 */
export function smallSet(sdk: string, version: string): void {
  test(`Hatchet SDK ${version}: start, a task, a broken stream and reconnect, failing heartbeats, stop; every family`, async () => {
    const sdkPort = await freePort();
    await runWith(
      sdk,
      { HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED: 'true', HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT: String(sdkPort) },
      {},
      async (run) => {
        await run.waitFor('HEALTHY', 15_000);
        assert.equal(await reasonOf(run), 'healthy');
        await sdkFamiliesAgree(run, sdkPort, 'idle');

        const id = run.engine.assign('sleep', { ms: 500 });
        await run.event(id, STARTED);
        assert.equal(sample(await run.metrics(), F.slotsInUse, { slot_type: 'default' }), 1);
        await sdkFamiliesAgree(run, sdkPort, 'a task running');
        await run.event(id, COMPLETED);
        const done = await run.metricsUntil('the task completed', (f) => sample(f, F.tasksCompleted) === 1 && f);
        assert.deepEqual(
          [F.tasksReceived, F.tasksStarted, F.taskStartDelay].map((name, i) => sample(done, name, {}, i === 2 ? `${name}_count` : name)),
          [1, 1, 1],
        );

        run.engine.breakStreams();
        await run.waitFor('UNHEALTHY', 1_500);
        await reasonBecomes(run, 'stream_down', 1_000);
        await run.waitFor('HEALTHY', 20_000);
        const reconnected = await run.metrics();
        assert.deepEqual([sample(reconnected, F.streamConnections), sample(reconnected, F.streamEnds)], [2, 1]);

        run.engine.heartbeatMode = 'not-found';
        await run.metricsUntil('a NOT_FOUND failure', (f) => (heartbeatFailures(f).codes.NOT_FOUND ?? 0) >= 1, WINDOW);
        run.engine.heartbeatMode = 'ok';
        await run.waitFor('HEALTHY', WINDOW + SLACK_MS);
        await sdkFamiliesAgree(run, sdkPort, 'after the reconnect');

        // Stopped with a task running, so that /metrics still answers while it drains.
        const draining = run.engine.assign('sleep', { ms: 2_000 });
        await run.event(draining, STARTED);
        run.child.send('stop');
        await run.waitFor('UNHEALTHY', 1_500);
        assert.equal(await reasonOf(run), 'stopping');
        await run.event(draining, COMPLETED);
        assert.deepEqual(await run.child.exited(), { code: 0, signal: null });
      },
    )();
  });
}

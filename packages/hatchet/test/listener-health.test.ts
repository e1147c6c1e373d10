import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ListenerHealth, type ListenerReason } from '../src/listener-health.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function recorder() {
  const calls: boolean[] = [];
  return { calls, setListenerHealthy: (healthy: boolean) => void calls.push(healthy) };
}

// The SDK versions tested never hold a received task back without blocking the loop
// (scenario 6), so the task-start rule is exercised here on the state machine itself.
test('a received task not STARTED within its window: UNHEALTHY until it starts', async () => {
  const sink = recorder();
  const health = new ListenerHealth(sink, { heartbeatWindowMs: 60_000, taskStartWindowMs: 100 });
  const stream = health.streamOpened();
  health.heartbeatSending();
  health.heartbeatSucceeded();
  assert.deepEqual(sink.calls, [true]);
  health.taskReceived('task-1');
  await sleep(250);
  assert.deepEqual(sink.calls, [true, false]);
  health.taskStarted('task-1');
  assert.deepEqual(sink.calls, [true, false, true]);
  health.streamClosed(stream);
  assert.deepEqual(sink.calls, [true, false, true, false]);
  health.close();
});

test('STARTING until a heartbeat sent on the open stream succeeds; a late close of an old stream changes nothing', () => {
  const sink = recorder();
  const health = new ListenerHealth(sink, { heartbeatWindowMs: 60_000, taskStartWindowMs: 60_000 });
  health.heartbeatSucceeded();
  const first = health.streamOpened();
  health.heartbeatSucceeded(); // its beat was sent before the stream opened
  health.streamClosed(first);
  assert.deepEqual(sink.calls, [], 'nothing reported: still STARTING');
  const second = health.streamOpened();
  health.heartbeatSending();
  health.heartbeatSucceeded();
  health.streamClosed(first);
  assert.deepEqual(sink.calls, [true]);
  health.stoppingNow();
  assert.deepEqual(sink.calls, [true, false]);
  health.streamClosed(second);
  assert.deepEqual(sink.calls, [true, false]);
  health.close();
});

test('stopping before the first HEALTHY reports UNHEALTHY at once', () => {
  const sink = recorder();
  const health = new ListenerHealth(sink);
  health.stoppingNow();
  assert.deepEqual(sink.calls, [false]);
  health.close();
});

test('a cancelled task stops waiting for its start without having started: never late, HEALTHY throughout', async () => {
  const sink = recorder();
  const health = new ListenerHealth(sink, { heartbeatWindowMs: 60_000, taskStartWindowMs: 100 });
  health.streamOpened();
  health.heartbeatSending();
  health.heartbeatSucceeded();
  health.taskReceived('task-1');
  assert.equal(health.isPending('task-1'), true);
  health.taskCancelled('task-1');
  assert.equal(health.isPending('task-1'), false);
  await sleep(250);
  assert.deepEqual(sink.calls, [true]);
  assert.equal(health.reason(), 'healthy');
  health.close();
});

test('the reason: starting, healthy, task_start_late, heartbeats_failing, stream_down, stopping, in that story', async () => {
  const reasons: ListenerReason[] = [];
  const health = new ListenerHealth(recorder(), { heartbeatWindowMs: 300, taskStartWindowMs: 100 }, (reason) => reasons.push(reason));
  health.check();
  const stream = health.streamOpened();
  health.heartbeatSending();
  health.heartbeatSucceeded();
  health.taskReceived('task-1');
  await sleep(200);
  health.taskStarted('task-1');
  await sleep(450); // no beat answered for longer than the window
  health.heartbeatSending();
  health.heartbeatSucceeded();
  health.streamClosed(stream);
  health.streamOpened(); // reconnected, no beat on it yet
  health.stoppingNow();
  assert.deepEqual(reasons, [
    'starting',
    'healthy',
    'task_start_late',
    'healthy',
    'heartbeats_failing',
    'healthy',
    'stream_down',
    'stopping',
  ]);
  health.close();
});

test('a stream no heartbeat confirms within the window: heartbeats_failing, also before the first HEALTHY', async () => {
  const reasons: ListenerReason[] = [];
  const sink = recorder();
  const health = new ListenerHealth(sink, { heartbeatWindowMs: 100, taskStartWindowMs: 60_000 }, (reason) => reasons.push(reason));
  health.streamOpened();
  await sleep(250);
  assert.deepEqual(reasons, ['starting', 'heartbeats_failing']);
  assert.deepEqual(sink.calls, [], 'still STARTING: the healthcheck turns it UNHEALTHY after its grace period');
  health.hookBroken();
  assert.deepEqual(sink.calls, [false]);
  health.close();
});

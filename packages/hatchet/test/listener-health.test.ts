import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ListenerHealth } from '../src/listener-health.js';

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

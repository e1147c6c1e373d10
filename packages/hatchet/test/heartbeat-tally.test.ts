import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heartbeatFailureCode, HeartbeatTally, type HeartbeatOutcome } from '../src/heartbeat-tally.js';

test("a failure's code: the gRPC status name in nice-grpc's message; the SDK's deadline; else UNKNOWN", () => {
  assert.equal(
    heartbeatFailureCode('Failed to send heartbeat: /Dispatcher/Heartbeat UNAVAILABLE: No connection established'),
    'UNAVAILABLE',
  );
  assert.equal(heartbeatFailureCode('Failed to send heartbeat: /Dispatcher/Heartbeat NOT_FOUND: worker not found'), 'NOT_FOUND');
  assert.equal(heartbeatFailureCode('Failed to send heartbeat: The operation has been aborted'), 'DEADLINE_EXCEEDED');
  assert.equal(heartbeatFailureCode('Failed to send heartbeat: The operation was aborted due to timeout'), 'DEADLINE_EXCEEDED');
  assert.equal(heartbeatFailureCode('Heartbeat not implemented, closing heartbeat'), 'UNIMPLEMENTED');
  assert.equal(heartbeatFailureCode('Failed to send heartbeat: /Dispatcher/Heartbeat NOPE: what'), 'UNKNOWN');
  assert.equal(heartbeatFailureCode('Failed to send heartbeat: something else'), 'UNKNOWN');
});

function tally() {
  const outcomes: HeartbeatOutcome[] = [];
  return { outcomes, tally: new HeartbeatTally((outcome) => outcomes.push(outcome)) };
}
const refused = 'Failed to send heartbeat: /Dispatcher/Heartbeat UNAVAILABLE: refused';

test('every reported outcome once; other messages ignored', () => {
  const { outcomes, tally: t } = tally();
  t.message('debug', 'Heartbeat sending...');
  t.message('debug', 'Heartbeat sent 4003ms ago');
  t.message('warn', 'Heartbeat interval delay (6000ms >> 4000ms)');
  t.message('error', refused); // SDK 1.21–1.26: every failure reported as an error
  t.message('error', refused);
  t.message('debug', 'Heartbeat sent 12001ms ago');
  assert.deepEqual(outcomes, [{ ok: true }, { ok: false, code: 'UNAVAILABLE' }, { ok: false, code: 'UNAVAILABLE' }, { ok: true }]);
});

test("SDK 1.28+: the run's second failure (a warn) reveals the unreported first, counted as UNKNOWN", () => {
  const { outcomes, tally: t } = tally();
  t.message('debug', 'Heartbeat sent 4000ms ago');
  // beat 2 failed silently; beat 3 is reported as a warn, beat 4 as an error
  t.message('warn', refused);
  t.message('error', refused);
  t.message('debug', 'Heartbeat sent 16000ms ago');
  // a non-transient failure is reported (error) at once; a warn after it reveals nothing more
  t.message('error', 'Failed to send heartbeat: /Dispatcher/Heartbeat NOT_FOUND: gone');
  t.message('warn', refused);
  assert.deepEqual(outcomes, [
    { ok: true },
    { ok: false, code: 'UNKNOWN' },
    { ok: false, code: 'UNAVAILABLE' },
    { ok: false, code: 'UNAVAILABLE' },
    { ok: true },
    { ok: false, code: 'NOT_FOUND' },
    { ok: false, code: 'UNAVAILABLE' },
  ]);
});

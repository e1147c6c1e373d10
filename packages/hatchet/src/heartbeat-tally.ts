/** gRPC status names (`@grpc/grpc-js` `Status`), as nice-grpc writes them into an error message. */
const GRPC_STATUS_NAMES = new Set([
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
]);

/** What the SDK's heartbeat thread posts around each beat. */
export const HEARTBEAT_SENDING = 'Heartbeat sending...';
export const HEARTBEAT_SENT = /^Heartbeat sent -?\d+ms ago$/;
/** What it posts when a beat fails: `Failed to send heartbeat: <error message>`. */
const FAILED_PREFIX = 'Failed to send heartbeat: ';
/** What it posts when the engine does not implement heartbeats; it stops beating then. */
const NOT_IMPLEMENTED = 'Heartbeat not implemented, closing heartbeat';

/**
 * The gRPC status name of a failure the heartbeat thread reported: the one in
 * nice-grpc's message (`/Dispatcher/Heartbeat UNAVAILABLE: …`); `DEADLINE_EXCEEDED`
 * when the SDK's own deadline aborted the call; else `UNKNOWN`.
 */
export function heartbeatFailureCode(text: string): string {
  if (text === NOT_IMPLEMENTED) return 'UNIMPLEMENTED';
  const error = text.startsWith(FAILED_PREFIX) ? text.slice(FAILED_PREFIX.length) : text;
  const named = /^\S+ ([A-Z_]+): /.exec(error)?.[1];
  if (named && GRPC_STATUS_NAMES.has(named)) return named;
  if (/\babort|\btime(d)? ?out/i.test(error)) return 'DEADLINE_EXCEEDED';
  return 'UNKNOWN';
}

/** Whether a heartbeat-thread message reports a failed beat. */
function isHeartbeatFailure(text: string): boolean {
  return text.startsWith(FAILED_PREFIX) || text === NOT_IMPLEMENTED;
}

/** One beat's outcome: answered, or failed with a gRPC status name. */
export type HeartbeatOutcome = { ok: true } | { ok: false; code: string };

/**
 * Outcomes of the SDK's heartbeats, from what its heartbeat thread posts to the
 * main thread: `Heartbeat sent …` after an answer, `Failed to send heartbeat: …`
 * (type `error`, or `warn`) after a failure. Since 1.28 the SDK keeps the first
 * of a run of transient failures (UNAVAILABLE, FAILED_PRECONDITION, its own
 * deadline) to itself and reports the second as a `warn`: that `warn` reveals
 * the unreported one, which is counted then, as `UNKNOWN` (the SDK did not say
 * which). A lone transient failure between two answers is not seen at all.
 */
export class HeartbeatTally {
  private failuresSinceAnswer = 0;

  constructor(private readonly report: (outcome: HeartbeatOutcome) => void) {}

  /** Takes one message of the heartbeat thread (`{ type, message }`); ignores any other. */
  message(type: unknown, text: string): void {
    if (HEARTBEAT_SENT.test(text)) {
      this.failuresSinceAnswer = 0;
      this.report({ ok: true });
    } else if (isHeartbeatFailure(text)) {
      if (type === 'warn' && this.failuresSinceAnswer === 0) this.report({ ok: false, code: 'UNKNOWN' });
      this.failuresSinceAnswer += 1;
      this.report({ ok: false, code: heartbeatFailureCode(text) });
    }
  }
}

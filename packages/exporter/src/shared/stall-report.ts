// What the health thread reports of a blocked event loop: one event per line
// on standard error while the block lasts, and the whole block as one object
// (`onStall`) once it has ended.

/** One frame of the main thread's JavaScript stack, innermost first. */
export interface StallFrame {
  /** The function's name, or `(anonymous)`. */
  function: string;
  /** The script's URL: `file:///…` for the application's files and its dependencies, `node:…` for Node's own. */
  url: string;
  /** 1-based, as an editor shows it. */
  line: number;
  column: number;
  /** `app`: the application's own code; `dependency`: under `node_modules`; `node`: Node's internals or native code. */
  kind: 'app' | 'dependency' | 'node';
}

/** What a report line says happened. */
export type StallEventName = 'blocked' | 'still blocked' | 'late stack' | 'unblocked';

/** One report line (a JSON object on standard error). */
export interface StallEvent {
  /** ISO time of the event. */
  time: string;
  level: 'warn' | 'info';
  msg: string;
  worker: string;
  event: StallEventName;
  /** The main thread's event-loop lag at the event, in seconds. */
  lagSeconds: number;
  thresholdSeconds: number;
  /**
   * The stack, innermost frame first (`blocked`, `still blocked`, `late stack`). Empty when it could
   * not be taken: see `native` and `stackUnavailable`.
   */
  frames?: StallFrame[];
  /** Milliseconds of the main thread that taking this stack took (the probe's own time, not the inspector's messaging). */
  stackMs?: number;
  /** `still blocked`: whether the innermost frame is another function than at the previous capture. */
  moved?: boolean;
  /** The main thread did not reach JavaScript within the bounded wait: it is in native code (a synchronous system call, an addon) or a very long garbage collection. */
  native?: boolean;
  /** `late stack`: taken when the main thread next ran JavaScript after native code; not the blocking code. */
  late?: boolean;
  /** Why no stack could be taken at all (the inspector is not available, say). */
  stackUnavailable?: string;
  /** `unblocked`: how long the block lasted, in seconds (to within one heartbeat interval). */
  durationSeconds?: number;
}

/** A whole block, told to `onStall` once it has ended. */
export interface StallReport {
  worker: string;
  thresholdSeconds: number;
  /** ISO time of the main thread's last heartbeat before the block. */
  startedAt: string;
  durationSeconds: number;
  /** The stack of the first capture taken while the block was in JavaScript; empty when none was. */
  frames: StallFrame[];
  /** Whether the first capture found the main thread in native code. */
  native: boolean;
  /** Every line written for this block, in order. */
  events: StallEvent[];
}

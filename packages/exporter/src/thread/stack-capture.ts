import type { Session } from 'node:inspector';
import { pathToFileURL } from 'node:url';
import type { StallFrame } from '../shared/stall-report.js';

/** Where the probe's own frames come from: they are left out of the stack. */
const PROBE_URL = 'worker-health:stack-probe';

// Evaluated on the main thread through the inspector. Node dispatches inspector
// messages to a thread that runs JavaScript through V8 interrupts, so this runs
// on top of the blocking code, and `new Error()` sees its frames. No debugger
// is enabled, nothing pauses, no breakpoint is set, no microtask runs; the
// globals it touches are put back before it returns.
const PROBE = `(() => {
  const started = performance.now();
  const E = Error, limit = E.stackTraceLimit, prepare = E.prepareStackTrace;
  try {
    E.stackTraceLimit = 64;
    E.prepareStackTrace = (_, sites) => sites.map((s) => [s.getFunctionName(), s.getFileName() ?? null, s.getLineNumber(), s.getColumnNumber(), s.isNative(), s.getScriptNameOrSourceURL() ?? null]);
    return { sites: new E().stack, ms: performance.now() - started };
  } finally {
    E.stackTraceLimit = limit;
    E.prepareStackTrace = prepare;
  }
})()
//# sourceURL=${PROBE_URL}`;

/** What one attempt to take the stack gave. */
export type Capture =
  /** The stack, taken while the main thread ran JavaScript; `mainThreadMs`: what the probe took of that thread. */
  | { kind: 'stack'; frames: StallFrame[]; mainThreadMs: number }
  /** No answer within the wait: the main thread is outside JavaScript. `late` is the stack it gives once it is back (not the blocking code). */
  | { kind: 'native'; late: Promise<Stack | undefined> }
  /** No stack can be taken in this process (said once by the caller). */
  | { kind: 'unavailable'; reason: string };

type RawSite = [string | null, string | null, number | null, number | null, boolean, string | null];

/** A stack, and the main thread's milliseconds the probe took to take it. */
interface Stack {
  frames: StallFrame[];
  mainThreadMs: number;
}

/**
 * Takes the main thread's JavaScript stack from the health thread, through
 * `node:inspector` (`Session.connectToMainThread`), loaded at the first
 * capture. A session is connected for each capture and disconnected as soon as
 * its answer is in: a session from a thread keeps the process from exiting
 * while an inspector server is open (`--inspect`), so none is left connected
 * between blocks. A Node built without the inspector, or a session that cannot
 * connect, makes every capture `unavailable` with the reason.
 */
export class StackCapture {
  private Session: (new () => Session) | undefined;
  private readonly sessions = new Set<Session>();
  private unavailable: string | undefined;
  private closed = false;

  /** @param waitMs how long the main thread may take to reach JavaScript before it is reported as in native code */
  constructor(private readonly waitMs: number) {}

  async take(): Promise<Capture> {
    const session = await this.connect();
    if (!session) return { kind: 'unavailable', reason: this.unavailable ?? 'the health check is shutting down' };
    const answer = new Promise<Stack | undefined>((resolve) => {
      try {
        session.post('Runtime.evaluate', { expression: PROBE, returnByValue: true, silent: true }, (error, result) => {
          this.disconnect(session);
          const value = result?.result?.value as { sites?: unknown; ms?: unknown } | undefined;
          const sites = value?.sites;
          resolve(error || !Array.isArray(sites) ? undefined : { frames: framesOf(sites as RawSite[]), mainThreadMs: Number(value?.ms) });
        });
      } catch {
        this.disconnect(session);
        resolve(undefined);
      }
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, this.waitMs, 'late')));
    const first = await Promise.race([answer, late]);
    clearTimeout(timer);
    if (first === 'late') return { kind: 'native', late: answer };
    return first ? { kind: 'stack', ...first } : { kind: 'unavailable', reason: 'the main thread did not evaluate the stack probe' };
  }

  /** Disconnects every session (a probe still on its way is dropped). Idempotent. */
  close(): void {
    this.closed = true;
    for (const session of this.sessions) this.disconnect(session);
  }

  private disconnect(session: Session): void {
    this.sessions.delete(session);
    try {
      session.disconnect();
    } catch {
      // already gone with its thread
    }
  }

  private async connect(): Promise<Session | undefined> {
    if (this.unavailable || this.closed) return undefined;
    try {
      // Loaded here, not at the thread's start: a Node built without the inspector throws on the import.
      this.Session ??= (await import('node:inspector')).Session;
      if (this.closed) return undefined;
      const session = new this.Session();
      session.connectToMainThread();
      this.sessions.add(session);
      return session;
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      this.unavailable =
        code === 'ERR_INSPECTOR_NOT_AVAILABLE'
          ? 'this Node is built without the inspector (ERR_INSPECTOR_NOT_AVAILABLE)'
          : `the inspector session could not connect to the main thread: ${String((error as Error)?.message ?? error)}`;
      return undefined;
    }
  }
}

function framesOf(sites: RawSite[]): StallFrame[] {
  const frames: StallFrame[] = [];
  for (const [name, file, line, column, native, source] of sites) {
    if (source === PROBE_URL) continue;
    const url = file === null || file === '' ? (native ? 'native' : '') : file.startsWith('/') ? pathToFileURL(file).href : file;
    frames.push({ function: name || '(anonymous)', url, line: line ?? 0, column: column ?? 0, kind: kindOf(url) });
  }
  return frames;
}

function kindOf(url: string): StallFrame['kind'] {
  if (url === '' || url === 'native' || url.startsWith('node:')) return 'node';
  return url.includes('/node_modules/') ? 'dependency' : 'app';
}

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { sleep } from './wait.js';

export interface ChildOptions {
  /** Options for node before the script, e.g. `['--expose-gc']`. Default: none. */
  nodeArgs?: string[];
  /** How long `next()` waits when not told. Default 10 000 ms. */
  nextTimeoutMs?: number;
}

/**
 * A child process (a node script, or a command) driven over stdin, its stdout read line by line as
 * JSON (a line that is not JSON is kept as `{ text }`).
 */
export class Child {
  readonly process: ChildProcessWithoutNullStreams;
  readonly name: string;
  /** Lines printed and not yet taken by {@link next}. */
  readonly lines: Array<Record<string, unknown>> = [];
  private waiters: Array<() => void> = [];
  private stdoutClosed = false;
  private readonly nextTimeoutMs: number;
  stderr = '';

  constructor(script: URL | string, env: NodeJS.ProcessEnv = {}, args: string[] = [], options: ChildOptions = {}) {
    const [command, argv] =
      typeof script === 'string' ? [script, args] : [process.execPath, [...(options.nodeArgs ?? []), script.pathname, ...args]];
    this.nextTimeoutMs = options.nextTimeoutMs ?? 10_000;
    this.name = [basename(typeof script === 'string' ? script : script.pathname), ...args].join(' ');
    this.process = spawn(command, argv, { env: { ...process.env, ...env }, stdio: 'pipe' });
    this.process.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    const lines = createInterface({ input: this.process.stdout });
    lines.on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.lines.push({ text: line });
      }
      this.wake();
    });
    lines.on('close', () => {
      this.stdoutClosed = true;
      this.wake();
    });
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Waits for the next stdout line that has `key`; fails once the deadline passes or stdout has closed without one. */
  async next(key: string, timeoutMs = this.nextTimeoutMs): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.lines.findIndex((line) => key in line);
      if (index !== -1) return this.lines.splice(index, 1)[0]!;
      if (this.stdoutClosed || Date.now() > deadline) {
        const why = this.stdoutClosed ? 'before its stdout closed' : `within ${timeoutMs} ms`;
        throw new Error(`${this.name}: printed no "${key}" ${why}; stderr: ${this.stderr}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  send(line: string): void {
    this.process.stdin.write(`${line}\n`);
  }

  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) {
      return Promise.resolve({ code: this.process.exitCode, signal: this.process.signalCode });
    }
    return new Promise((resolve) => this.process.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Resolves when the process has exited and all its output has been read. */
  closed(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.stdoutClosed && (this.process.exitCode !== null || this.process.signalCode !== null)) return this.exited();
    return new Promise((resolve) => this.process.once('close', (code, signal) => resolve({ code, signal })));
  }

  /** Sends `exit`, and kills the process if it has not exited `graceMs` later. */
  async stop(graceMs = 3_000): Promise<void> {
    const exited = this.exited();
    if (this.process.exitCode === null && this.process.signalCode === null) this.send('exit');
    await Promise.race([exited, sleep(graceMs)]);
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
    await exited;
  }
}

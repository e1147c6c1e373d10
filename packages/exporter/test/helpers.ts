import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Agent, request } from 'node:http';
import { connect, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import type { WorkerHealthcheck, WorkerHealthcheckOptions } from '@worker-health/exporter';
import { resolveSettings } from '../dist/settings.js';
import { startHealthcheck } from '../dist/worker-healthcheck.js';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

/** One HTTP request on a fresh connection to 127.0.0.1. */
export function get(port: number, path: string, method = 'GET', timeoutMs = 5_000): Promise<Reply> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Sends raw bytes; returns what the server sends back, up to the end of its first response or the close. */
export function raw(port: number, bytes: string | Buffer, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const done = () => {
      socket.destroy();
      resolve(received);
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const headEnd = received.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(received.slice(0, headEnd));
      if (headEnd !== -1 && length && received.length - headEnd - 4 >= Number(length[1])) done();
    });
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? done() : reject(error)));
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('raw request timed out')));
    socket.write(bytes);
  });
}

export interface Family {
  help?: string;
  type?: string;
  samples: Array<{ name: string; labels: string; value: number }>;
}

/** A small parser of the Prometheus text format, enough to read back what the exporter wrote. */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let found = families.get(name);
    if (!found) families.set(name, (found = { samples: [] }));
    return found;
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE|UNIT) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (kind === 'HELP') family(name).help = rest;
      if (kind === 'TYPE') family(name).type = rest;
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const [, name, labels = '', value] = sample as unknown as [string, string, string | undefined, string];
    const base = [...families.keys()].reverse().find((f) => name === f || name.startsWith(`${f}_`)) ?? name;
    family(base).samples.push({ name, labels, value: Number(value) });
  }
  return families;
}

/** A child node process running a fixture, with its stdout read line by line as JSON. */
export class Child {
  readonly process: ChildProcessWithoutNullStreams;
  /** Lines printed and not yet taken by {@link next}. */
  readonly lines: Array<Record<string, unknown>> = [];
  private waiters: Array<() => void> = [];
  stderr = '';

  constructor(script: URL | string, env: NodeJS.ProcessEnv = {}, args: string[] = []) {
    const [command, argv] = typeof script === 'string' ? [script, args] : [process.execPath, [script.pathname, ...args]];
    this.process = spawn(command, argv, { env: { ...process.env, ...env }, stdio: 'pipe' });
    this.process.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    createInterface({ input: this.process.stdout }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.lines.push({ text: line });
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Waits for the next stdout line that has `key`. */
  async next(key: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.lines.findIndex((line) => key in line);
      if (index !== -1) return this.lines.splice(index, 1)[0]!;
      if (Date.now() > deadline) throw new Error(`child printed no "${key}" within ${timeoutMs} ms; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
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
    if (this.process.stdout.readableEnded && this.process.exitCode !== null) return this.exited();
    return new Promise((resolve) => this.process.once('close', (code, signal) => resolve({ code, signal })));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether Debian's `prometheus` package (prometheus, promtool) is installed.
 * Without it the test is skipped with a reason on a developer's machine, and
 * fails where WORKER_HEALTH_REQUIRE_PROMETHEUS=1 (as .ci/run sets).
 */
export function hasPrometheusTools(t: { skip(message: string): void }, tool = 'promtool'): boolean {
  const found = spawnSync(tool, ['--version']).error === undefined;
  if (found) return true;
  const message = `${tool} is not installed (Debian package "prometheus"; .ci/run installs it)`;
  if (process.env.WORKER_HEALTH_REQUIRE_PROMETHEUS === '1') throw new Error(message);
  t.skip(message);
  return false;
}

export interface LoadReply {
  sentAt: number;
  at: number;
  status: number;
  body: string;
  error?: string;
}

/**
 * `total` GETs of `path` over `concurrency` keep-alive connections, spread
 * evenly over `spreadMs` (0: as fast as possible). Every answer is kept with
 * the wall-clock times it was sent and received, to judge it for its moment.
 */
export async function load(port: number, path: string, total: number, concurrency: number, spreadMs = 0, timeoutMs = 5_000): Promise<LoadReply[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const replies: LoadReply[] = [];
  const started = Date.now();
  let next = 0;
  const one = () =>
    new Promise<LoadReply>((resolve) => {
      const sentAt = Date.now();
      const req = request({ host: '127.0.0.1', port, path, agent, timeout: timeoutMs }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ sentAt, at: Date.now(), status: res.statusCode ?? 0, body }));
        res.on('error', (error) => resolve({ sentAt, at: Date.now(), status: 0, body, error: error.message }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) => resolve({ sentAt, at: Date.now(), status: 0, body: '', error: error.message }));
      req.end();
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const due = started + (spreadMs * i) / total;
        if (due > Date.now()) await sleep(due - Date.now());
        replies.push(await one());
      }
    }),
  );
  agent.destroy();
  return replies;
}

/** A port that was free a moment ago on 127.0.0.1 (for tests that must name the port up front). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `probe` until it gives a value other than undefined (a throw counts as undefined). */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A healthcheck whose health thread can be made to crash (a fixture thread through the host's spawn seam). */
export async function startCrashable(options: WorkerHealthcheckOptions): Promise<{ hc: WorkerHealthcheck; crash(): void }> {
  let current: Worker | undefined;
  const hc = await startHealthcheck(resolveSettings(options), {
    spawnThread: (data) => (current = new Worker(new URL('./fixtures/crashable-thread.mjs', import.meta.url), { workerData: data })),
  });
  return { hc, crash: () => current?.postMessage({ type: 'test:crash' }) };
}

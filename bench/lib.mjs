// Helpers of the benchmark: target processes, probes, statistics.
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A target process (target.mjs) driven over stdin/stdout. */
export class Target {
  static async start(mode, env = {}) {
    const target = new Target(mode, env);
    target.port = (await target.next('port', 30_000)).port;
    return target;
  }

  constructor(mode, env) {
    this.mode = mode;
    this.lines = [];
    this.waiters = [];
    this.stderr = '';
    this.process = spawn(process.execPath, ['--expose-gc', new URL('./target.mjs', import.meta.url).pathname, mode], {
      env: { ...process.env, ...env },
      stdio: 'pipe',
    });
    this.process.stderr.setEncoding('utf8').on('data', (chunk) => (this.stderr += chunk));
    createInterface({ input: this.process.stdout }).on('line', (line) => {
      this.lines.push(JSON.parse(line));
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  async next(key, timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.lines.findIndex((line) => key in line);
      if (index !== -1) return this.lines.splice(index, 1)[0];
      if (Date.now() > deadline || this.process.exitCode !== null) {
        throw new Error(`${this.mode}: no "${key}" within ${timeoutMs} ms; stderr: ${this.stderr}`);
      }
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  send(line) {
    this.process.stdin.write(`${line}\n`);
  }

  async stop() {
    if (this.process.exitCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.send('exit');
    await Promise.race([exited, sleep(3_000)]);
    if (this.process.exitCode === null) this.process.kill('SIGKILL');
  }
}

/** One GET on a fresh connection (as a kubelet probe does). */
export function probe(port, path, timeoutMs = 30_000) {
  const sent = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode, sent, ms: performance.now() - sent, at: Date.now(), bytes }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ status: 0, error: error.message, sent, ms: performance.now() - sent, at: Date.now(), bytes: 0 }));
    req.end();
  });
}

/** Fires `probe` every `everyMs` without waiting for answers (open loop), until stopped. */
export function poll(port, path, everyMs) {
  const replies = [];
  const pending = new Set();
  const timer = setInterval(() => {
    const sentAt = Date.now();
    const p = probe(port, path).then((reply) => {
      replies.push({ ...reply, sentAt });
      pending.delete(p);
    });
    pending.add(p);
  }, everyMs);
  return {
    replies,
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      return replies;
    },
  };
}

/**
 * Probes `path` every `everyMs` from a separate process (prober.mjs) until
 * stopped; replies carry `sentAt` and `at` in epoch milliseconds.
 */
export async function startProber(port, path, everyMs) {
  const child = spawn(process.execPath, [new URL('./prober.mjs', import.meta.url).pathname, String(port), path, String(everyMs)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  if ((await lines.next()).value !== 'ready') throw new Error('the prober did not start');
  return {
    async stop() {
      child.stdin.end('stop\n');
      const { value } = await lines.next();
      return JSON.parse(value);
    },
  };
}

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const median = (values) => percentile(values, 50);
export const round = (value, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);

/** `n` requests one after another on one keep-alive connection: latencies in ms, to the microsecond. */
export async function sequential(port, path, n) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    latencies.push(performance.now() - started);
  }
  agent.destroy();
  return latencies;
}

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { createInterface } from 'node:readline';

/**
 * The consumer app (`node main.mjs` in dir unless `args` say otherwise) running
 * under the given node binary, with `env` added to this process's environment.
 * Collects its output; `ready()` resolves with the port it printed.
 */
export class AppProcess {
  constructor(dir, node, { args = ['main.mjs'], env = {} } = {}) {
    this.child = spawn(node, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.output = '';
    this.exit = once(this.child, 'exit').then(([code, signal]) => ({ code, signal }));
    this.lines = createInterface({ input: this.child.stdout });
    this.child.stderr.setEncoding('utf8').on('data', (chunk) => (this.output += chunk));
    this.messages = [];
    this.lines.on('line', (line) => {
      this.output += `${line}\n`;
      try {
        this.messages.push(JSON.parse(line));
      } catch {
        // Not one of the app's JSON lines: kept in output only.
      }
    });
  }

  /**
   * The port the app reports once its healthcheck listens; rejects if it exits or stays silent first,
   * or if `check`, called while waiting, throws.
   */
  async ready(timeoutMs, check = () => {}) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      check();
      const ready = this.messages.find((message) => typeof message.port === 'number');
      if (ready) return ready.port;
      if (this.child.exitCode !== null || this.child.signalCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(
      `the app did not report a port within ${timeoutMs} ms (exit ${this.child.exitCode ?? this.child.signalCode ?? 'none'}); its output:\n${this.output}`,
    );
  }

  /** Sends SIGTERM; resolves with how the process ended, or undefined if it is still running after timeoutMs. */
  async stop(timeoutMs) {
    this.child.kill('SIGTERM');
    const timer = new Promise((resolve) => setTimeout(resolve, timeoutMs, undefined).unref());
    return Promise.race([this.exit, timer]);
  }

  /** Ends the process if a failed test left it running. */
  kill() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** One GET on a fresh connection to 127.0.0.1. */
export function get(port, path) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET 127.0.0.1:${port}${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Checks what an app of consumers/ (app/, app-commonjs/) serves on `port`:
 * `/health` 200 HEALTHY, and on `/metrics` its own counter and the listener
 * gauge of worker `consumer`. Resolves with the `/metrics` page.
 */
export async function assertServesApp(port) {
  const health = await get(port, '/health');
  assert.equal(health.status, 200, `/health: ${health.body}`);
  assert.deepEqual(JSON.parse(health.body), { status: 'HEALTHY' });
  const metrics = await get(port, '/metrics');
  assert.equal(metrics.status, 200);
  assert.match(metrics.body, /^consumer_tasks_completed_total(\{[^}]*\})? 3$/m, `the app's own counter:\n${metrics.body}`);
  assert.match(metrics.body, /^hatchet_worker_listener_health_consumer 1$/m);
  return metrics.body;
}

/**
 * Sends SIGTERM and checks that the app shut down (`what`, in the message)
 * and then ended by itself with exit code 0 within `timeoutMs`, which it
 * cannot while a thread, socket or timer is left; with `quiet`, also that it
 * printed nothing but its JSON lines (no warning, no error).
 */
export async function assertStopsByItself(app, { what = 'shutdown', quiet = false, timeoutMs = 10_000 } = {}) {
  const end = await app.stop(timeoutMs);
  assert.ok(end, `the process is still running ${timeoutMs / 1000} s after ${what}: something was left referenced. Output:\n${app.output}`);
  assert.deepEqual(end, { code: 0, signal: null }, app.output);
  assert.ok(
    app.messages.some((message) => message.stopped === true),
    `shutdown completed:\n${app.output}`,
  );
  if (quiet) assert.equal(app.output.replace(/^\{.*\}\n/gm, ''), '', 'the app printed nothing but its JSON lines (no warning, no error)');
}

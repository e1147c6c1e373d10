// Helpers of the benchmark: target processes, probes, statistics. The child driver and the HTTP
// clients are the repository's one copy, shared with the tests (@worker-health/testing).
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { Child, get, sleep, startProber } from '@worker-health/testing';

export { sleep, startProber };

const TARGET = new URL('./target.mjs', import.meta.url);

/** A target process (target.mjs) running `setup` (setups.mjs), once it has said its port: `.port`. */
export async function startTarget(setup, env = {}) {
  const target = new Child(TARGET, env, [setup], { nodeArgs: ['--expose-gc'], nextTimeoutMs: 120_000 });
  target.port = (await target.next('port', 30_000)).port;
  return target;
}

/** One GET on a fresh connection (as a kubelet probe does); a failure is status 0. */
export async function probe(port, path, timeoutMs = 30_000) {
  const sent = performance.now();
  try {
    const reply = await get(port, path, 'GET', timeoutMs);
    return { status: reply.status, ms: reply.ms, at: Date.now(), bytes: Buffer.byteLength(reply.body) };
  } catch (error) {
    return { status: 0, error: error.message, ms: performance.now() - sent, at: Date.now(), bytes: 0 };
  }
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
 * One phase of the memory sections' traffic, for at least `ms`: `/metrics` polled every
 * `scrapeEveryMs` on each port while `requests` `/health` requests go to each port in turn
 * (autocannon, `connections` at once). Returns the failed requests and scrapes.
 */
export async function trafficPhase(ports, { ms, requests, scrapeEveryMs, connections }) {
  const scrapers = ports.map((port) => poll(port, '/metrics', scrapeEveryMs));
  const started = Date.now();
  let errors = 0;
  for (const port of ports) {
    const flood = await autocannon({ url: `http://127.0.0.1:${port}/health`, connections, amount: requests });
    errors += flood.errors + flood.timeouts + flood.non2xx;
  }
  await sleep(Math.max(0, ms - (Date.now() - started)));
  const replies = (await Promise.all(scrapers.map((s) => s.stop()))).flat();
  return errors + replies.filter((r) => r.status !== 200).length;
}

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const median = (values) => percentile(values, 50);

export const round = (value, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);

/** The least-squares line through readings taken at equal steps (x = 0, 1, …): its value at `x`, and its slope. */
function fittedLine(readings) {
  const n = readings.length;
  if (n < 2) throw new Error(`fitted line: ${n} reading(s) given; at least 2 are needed`);
  const meanX = (n - 1) / 2;
  const meanY = readings.reduce((sum, y) => sum + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of readings.entries()) {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
  }
  const slope = sxy / sxx;
  return { slope, at: (x) => meanY + slope * (x - meanX) };
}

/**
 * Growth from the first reading to the last along the least-squares line through readings taken at
 * equal steps: a leak is a trend, while one reading against another also holds the allocator's and
 * V8's moment-to-moment sizing (±2 MB of RSS between two readings of a process that does not grow).
 */
export function fittedGrowth(readings) {
  return fittedLine(readings).slope * (readings.length - 1);
}

/** The largest distance of a reading from the least-squares line through `readings` (equal steps, as `fittedGrowth`). */
export function largestStray(readings) {
  const line = fittedLine(readings);
  return Math.max(...readings.map((y, x) => Math.abs(y - line.at(x))));
}

/**
 * A `breakdown` (target.mjs) of a `package-stats` target started with BENCH_THREAD_GC: where the memory
 * is after a GC of both threads. Throws when the health thread did not collect before it answered, since
 * its heap figures would then hold garbage.
 */
export async function collectedBreakdown(target) {
  target.send('breakdown');
  const { gc } = (await target.next('breakdown')).breakdown;
  if (!gc.thread?.collected) {
    throw new Error(
      `the health thread ${gc.thread ? 'did not collect its heap' : 'gave no heap figures'}; a breakdown after a GC needs the set-up package-stats, --expose-gc (startTarget) and BENCH_THREAD_GC (thread-stats.mjs)`,
    );
  }
  return gc;
}

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

/** The machine a run measured on, and how busy it was at the start. */
export function machine() {
  return {
    node: process.version,
    os: `${osType()} ${release()}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    loadAverageAtStart: loadavg().map((x) => round(x, 2)),
  };
}

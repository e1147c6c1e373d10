// A /health prober in a process of its own (`startProber` runs it): `node prober.js <port> <path> <everyMs>`.
// Every `everyMs` it opens a fresh connection (as a kubelet does), writes one
// prepared request and times it to the end of the answer, without waiting for
// earlier probes (open loop). It prints {"ready":true}; on "stop" (stdin) it
// prints {"replies":[…]} and exits. Raw sockets keep the prober's own cost (an
// HTTP client's parser, objects and garbage) out of the latencies it reports,
// and its own process keeps out the cost of whatever else a test does.
import { createInterface } from 'node:readline';
import { rawRequest } from './raw-request.js';

const [port, path, everyMs] = [Number(process.argv[2]), process.argv[3] ?? '/health', Number(process.argv[4] ?? 20)];
const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`, 'latin1');
/** Milliseconds since the epoch, to the microsecond: comparable with other processes' `Date.now()`. */
const now = () => performance.timeOrigin + performance.now();
const replies: ProbeReply[] = [];
const pending = new Set<Promise<void>>();

/** One probe: its status (0 on failure), latency, and when it was sent and answered (epoch milliseconds). */
export interface ProbeReply {
  status: number;
  ms: number;
  sentAt: number;
  at: number;
  error?: string;
}

function probe(): void {
  const sentAt = now();
  const reply = rawRequest(port, request, { timeoutMs: 30_000 }).then(({ status, ms, error }) => {
    replies.push({ status: error ? 0 : status, ms, sentAt, at: sentAt + ms, ...(error ? { error } : {}) });
    pending.delete(reply);
  });
  pending.add(reply);
}

const timer = setInterval(probe, everyMs);
createInterface({ input: process.stdin }).once('line', async () => {
  clearInterval(timer);
  while (pending.size > 0) await Promise.all(pending);
  process.stdout.write(`${JSON.stringify({ replies })}\n`, () => process.exit(0));
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);

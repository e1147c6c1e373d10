// A /health prober in a process of its own: `node prober.mjs <port> <path> <everyMs>`.
// Every `everyMs` it opens a fresh connection (as a kubelet does), writes one
// prepared request and times it to the end of the answer, without waiting for
// earlier probes (open loop). On "stop" (stdin) it prints the replies as one
// JSON line and exits. Raw sockets keep the prober's own cost (an HTTP
// client's parser, objects and garbage) out of the latencies it reports.
import { connect } from 'node:net';
import { createInterface } from 'node:readline';

const [port, path, everyMs] = [Number(process.argv[2]), process.argv[3] ?? '/health', Number(process.argv[4] ?? 20)];
const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`, 'latin1');
/** Milliseconds since the epoch, to the microsecond: comparable with other processes' `Date.now()`. */
const now = () => performance.timeOrigin + performance.now();
const replies = [];
let pending = 0;
let onIdle;

function probe() {
  const sentAt = now();
  const started = performance.now();
  let status = 0;
  let done = false;
  pending++;
  const finish = (error) => {
    if (done) return;
    done = true;
    replies.push({ status: error ? 0 : status, ms: performance.now() - started, sentAt, at: now(), ...(error ? { error } : {}) });
    socket.destroy();
    if (--pending === 0) onIdle?.();
  };
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  socket.setTimeout(30_000, () => finish('timeout'));
  socket.on('connect', () => socket.write(request));
  // "HTTP/1.1 200 OK": the status is bytes 9 to 11 of the first chunk.
  socket.on('data', (chunk) => (status ||= Number(chunk.toString('latin1', 9, 12))));
  // The server closes after the answer (Connection: close): the end of the stream is the end of the answer.
  socket.on('end', () => finish());
  socket.on('error', (error) => finish(error.code ?? error.message));
}

const timer = setInterval(probe, everyMs);
createInterface({ input: process.stdin }).once('line', async () => {
  clearInterval(timer);
  if (pending > 0) await new Promise((resolve) => (onIdle = resolve));
  process.stdout.write(`${JSON.stringify(replies)}\n`, () => process.exit(0));
});
process.stdout.write('ready\n');

// What a /health probe costs on this machine with nothing blocked:
// `node bench/probe-floor.mjs`. A fresh connection per probe, 300 probes each,
// against the package's health thread (in this process) and against a plain
// node:http server on the main thread of another process, once back to back and once 20 ms apart (as in the stall benchmark).
// Medians of connect, first byte, and end of the answer, in ms.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { startWorkerHealthcheck } from '@worker-health/exporter';
import { median, round, sleep } from './lib.mjs';

const request = Buffer.from('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', 'latin1');
function probe(port) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let connected = 0;
    let firstByte = 0;
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    socket.on('connect', () => {
      connected = performance.now();
      socket.write(request);
    });
    socket.once('data', () => (firstByte = performance.now()));
    socket.on('end', () => {
      resolve([connected - started, firstByte - connected, performance.now() - firstByte]);
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

const healthcheck = await startWorkerHealthcheck({ workerName: 'bench', port: 0, bindAddress: '127.0.0.1' });
healthcheck.setListenerHealthy(true);
const plain = spawn(process.execPath, ['-e', `
  const server = require('node:http').createServer((_, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"HEALTHY"}'));
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
  process.stdin.on('end', () => process.exit(0)).resume();`]);
const plainPort = Number((await createInterface({ input: plain.stdout })[Symbol.asyncIterator]().next()).value);

console.log('medians of 300 probes, ms: connect / first byte / end of answer');
for (const [name, port] of [['health thread', healthcheck.port], ['main-thread node:http', plainPort]]) {
  for (const gapMs of [0, 20]) {
    const phases = [];
    for (let i = 0; i < 300; i++) {
      phases.push(await probe(port));
      if (gapMs) await sleep(gapMs);
    }
    const m = [0, 1, 2].map((k) => round(median(phases.map((p) => p[k])), 3));
    console.log(`  ${name.padEnd(22)} ${gapMs ? '20 ms apart  ' : 'back to back '} ${m.join(' / ')}  (sum ${round(m[0] + m[1] + m[2], 2)})`);
  }
}
await healthcheck.shutdown();
plain.stdin.end();

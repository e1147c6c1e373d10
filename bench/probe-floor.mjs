// What a /health probe costs on this machine with nothing blocked:
// `node bench/probe-floor.mjs`. A fresh connection per probe, 300 probes each,
// against the package's health thread (in this process) and against a plain
// node:http server on the main thread of another process, once back to back and once 20 ms apart (as in the stall benchmark).
// Medians of connect, first byte, and end of the answer, in ms.
import { startWorkerHealthcheck } from '@worker-health/exporter';
import { Child, rawRequest } from '@worker-health/testing';
import { median, round, sleep } from './lib.mjs';

const request = Buffer.from('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', 'latin1');
async function probe(port) {
  const { connectMs, firstByteMs, ms, error } = await rawRequest(port, request);
  if (error) throw new Error(`probe of port ${port} failed: ${error}`);
  return [connectMs, firstByteMs - connectMs, ms - firstByteMs];
}

const healthcheck = await startWorkerHealthcheck({ workerName: 'bench', port: 0, bindAddress: '127.0.0.1' });
healthcheck.setListenerHealthy(true);
const plain = new Child(process.execPath, {}, [
  '-e',
  `
  const server = require('node:http').createServer((_, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"HEALTHY"}'));
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
  require('node:readline').createInterface({ input: process.stdin }).once('line', () => process.exit(0));`,
]);
const plainPort = (await plain.next('port')).port;

console.log('medians of 300 probes, ms: connect / first byte / end of answer');
for (const [name, port] of [
  ['health thread', healthcheck.port],
  ['main-thread node:http', plainPort],
]) {
  for (const gapMs of [0, 20]) {
    const phases = [];
    for (let i = 0; i < 300; i++) {
      phases.push(await probe(port));
      if (gapMs) await sleep(gapMs);
    }
    const m = [0, 1, 2].map((k) => round(median(phases.map((p) => p[k])), 3));
    console.log(
      `  ${name.padEnd(22)} ${gapMs ? '20 ms apart  ' : 'back to back '} ${m.join(' / ')}  (sum ${round(m[0] + m[1] + m[2], 2)})`,
    );
  }
}
await healthcheck.shutdown();
await plain.stop();

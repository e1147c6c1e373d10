// Where the RSS of a healthcheck goes: `node bench/memory-breakdown.mjs`.
// Each case runs in a fresh process (RSS is per process, and the first time a
// process does something costs more than the second), three times; the figure
// is the median growth of RSS, after gc(), from just before the case to its end.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';

const cases = {
  'an idle worker thread': async () => {
    new Worker('setInterval(() => {}, 1000)', { eval: true }).unref();
  },
  // Any first package costs about this much (the module loader's first use): a bare "off" process never pays it, a real worker does.
  'the first package a process loads (@opentelemetry/api)': async () => {
    await import('@opentelemetry/api');
  },
  'node:http on the main thread, 3000 requests': async () => traffic(await serve()),
  'node:http in a worker thread, 3000 requests': async () => {
    const worker = new Worker(
      `const server = require('node:http').createServer((_, res) => res.end('{"status":"HEALTHY"}'));
       server.listen(0, '127.0.0.1', () => require('node:worker_threads').parentPort.postMessage(server.address().port));`,
      { eval: true },
    );
    worker.unref();
    await traffic(await new Promise((resolve) => worker.once('message', resolve)));
  },
  'the healthcheck, default metrics, 3000 requests': async () => {
    const { startWorkerHealthcheck } = await import('@worker-health/exporter');
    const healthcheck = await startWorkerHealthcheck({ workerName: 'bench', port: 0, bindAddress: '127.0.0.1' });
    healthcheck.setListenerHealthy(true);
    await traffic(healthcheck.port);
  },
};

const rss = () => {
  globalThis.gc();
  return (Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[1]) * 4096) / 2 ** 20;
};
async function serve() {
  const server = createServer((_, res) => res.end('{"status":"HEALTHY"}'));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}
/** 3000 requests on fresh connections from another process (as probes come), every 100th a /metrics. */
async function traffic(port) {
  const client = `
    const { request } = require('node:http');
    const get = (path) => new Promise((resolve, reject) =>
      request({ host: '127.0.0.1', port: ${port}, path, agent: false }, (res) => res.resume().on('end', resolve)).on('error', reject).end());
    (async () => { for (let i = 0; i < 3000; i++) await get(i % 100 ? '/health' : '/metrics'); })();`;
  const { spawn } = await import('node:child_process');
  await new Promise((resolve) => spawn(process.execPath, ['-e', client], { stdio: 'inherit' }).on('exit', resolve));
}

const name = process.argv[2];
if (name) {
  // One case in this fresh process (node:http, which every case uses, is loaded before the first figure).
  await sleep(300);
  const before = rss();
  await cases[name]();
  await sleep(1_000);
  process.stdout.write(`${rss() - before}\n`);
  process.exit(0);
}
console.log('median RSS growth of 3 fresh processes, MB:');
for (const name of Object.keys(cases)) {
  const runs = [0, 1, 2].map(() => {
    const child = spawnSync(process.execPath, ['--expose-gc', new URL(import.meta.url).pathname, name], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`${name}: ${child.stderr}`);
    return Number(child.stdout);
  });
  console.log(`  ${name.padEnd(56)} ${runs.sort((a, b) => a - b)[1].toFixed(1)}`);
}

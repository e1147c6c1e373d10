// Start/stop churn: does RSS keep growing when a healthcheck is started and
// shut down many times in one process, and what holds the growth?
//
//   node bench/churn.mjs [cycles=600] [runs=1] [only cases whose name has this]
//
// Each case runs in a fresh process (node --expose-gc), side by side in one
// run: a plain Worker that posts one message and exits, a Worker serving
// node:http (the healthcheck's thread without OpenTelemetry), and the
// healthcheck itself (with and without default metrics), the main thread's
// runtime metrics alone, and the event-loop-delay histogram they create, alone. Each is run under
// three settings of glibc's malloc (see MALLOC), so what the allocator keeps
// shows as the difference.
// Printed per case: RSS after gc() after 10 warm-up cycles and at every fifth
// of the cycles, heap used, open descriptors and threads at the end, and where
// the growth sits in the address space (/proc/self/smaps: the brk heap, other
// anonymous mappings, file mappings).
//
// One case alone (used by the driver): node --expose-gc bench/churn.mjs --case NAME CYCLES
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

const CASES = {
  'plain Worker': async () => {
    const worker = new Worker('require("node:worker_threads").parentPort.postMessage("ready")', { eval: true });
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
    await exited;
  },
  'Worker with node:http': async () => {
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const server = require('node:http').createServer((_, res) => res.end('ok'));
       server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
       parentPort.once('message', () => server.close(() => parentPort.close()));`,
      { eval: true },
    );
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
    worker.postMessage('close');
    await exited;
  },
  healthcheck: async () => churnHealthcheck(true),
  'healthcheck, defaultMetrics: false': async () => churnHealthcheck(false),
  // What each start of the default metrics used to create on the main thread, alone:
  'monitorEventLoopDelay alone': async () => {
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    await new Promise((resolve) => setImmediate(resolve));
    histogram.disable();
  },
};

let startWorkerHealthcheck;
async function churnHealthcheck(defaultMetrics) {
  startWorkerHealthcheck ??= (await import('@worker-health/exporter')).startWorkerHealthcheck;
  const healthcheck = await startWorkerHealthcheck({ workerName: 'churn', port: 0, bindAddress: '127.0.0.1', defaultMetrics });
  await healthcheck.shutdown();
}

const MB = 2 ** 20;

/** RSS in MB of the mappings of /proc/self/smaps, by kind. */
function rssByMapping() {
  const kinds = { brkHeap: 0, anonymous: 0, file: 0 };
  let kind = 'anonymous';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const name = head[1];
      kind = name === '[heap]' ? 'brkHeap' : name === '' || name.startsWith('[') ? 'anonymous' : 'file';
    } else if (line.startsWith('Rss:')) kinds[kind] += Number(line.split(/\s+/)[1]) / 1024;
  }
  return kinds;
}

function sample() {
  globalThis.gc();
  const threads = Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
  return {
    rss: process.memoryUsage().rss / MB,
    heapUsed: process.memoryUsage().heapUsed / MB,
    fds: readdirSync('/proc/self/fd').length,
    threads,
    ...rssByMapping(),
  };
}

async function runCase(name, cycles) {
  const cycle = CASES[name];
  for (let i = 0; i < 10; i++) await cycle();
  const first = sample();
  const rss = [first.rss];
  for (let i = 1; i <= cycles; i++) {
    await cycle();
    if (i % (cycles / 5) === 0) rss.push(sample().rss);
  }
  const last = sample();
  process.stdout.write(`${JSON.stringify({ first, last, rss })}\n`);
}

// glibc's own malloc, then one arena for all threads, then a fixed mmap threshold (blocks
// of 128 KiB and more are mapped alone and unmapped when freed, instead of the default
// threshold that rises to the size of the largest block freed and keeps such blocks in the heap).
const MALLOC = [
  ['default', {}],
  ['MALLOC_ARENA_MAX=1', { MALLOC_ARENA_MAX: '1' }],
  ['MALLOC_MMAP_THRESHOLD_=131072', { MALLOC_MMAP_THRESHOLD_: '131072' }],
];

function driver(cycles, runs, only) {
  const f = (n) => n.toFixed(1);
  console.log(`${cycles} start/shutdown cycles per case, each case in a fresh process, ${runs} run(s); MB after gc()`);
  console.log(
    '| case | malloc | RSS at each fifth of the cycles | RSS growth | brk heap | other anonymous | file | heap used growth | fds, threads at the end |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (let run = 0; run < runs; run++) {
    for (const name of Object.keys(CASES).filter((n) => only === undefined || n.includes(only))) {
      for (const [malloc, env] of MALLOC) {
        const child = spawnSync(process.execPath, ['--expose-gc', new URL(import.meta.url).pathname, '--case', name, String(cycles)], {
          env: { ...process.env, ...env },
          encoding: 'utf8',
          maxBuffer: 16 * MB,
        });
        if (child.status !== 0) throw new Error(`${name}: exit ${child.status}\n${child.stderr}`);
        const { first, last, rss } = JSON.parse(child.stdout.trim().split('\n').at(-1));
        console.log(
          `| ${name} | ${malloc} | ${rss.map(f).join(' → ')} | **${f(last.rss - first.rss)}** | ${f(last.brkHeap - first.brkHeap)} | ` +
            `${f(last.anonymous - first.anonymous)} | ${f(last.file - first.file)} | ${f(last.heapUsed - first.heapUsed)} | ` +
            `${first.fds}→${last.fds}, ${first.threads}→${last.threads} |`,
        );
      }
    }
  }
}

if (process.argv[2] === '--case') await runCase(process.argv[3], Number(process.argv[4]));
else driver(Number(process.argv[2] ?? 600), Number(process.argv[3] ?? 1), process.argv[4]);

// A worker process under test, driven over stdin, answering on stdout (JSON lines).
//   node target.mjs <set-up>          (set-ups: setups.mjs)
// env: BENCH_THRESHOLD (s, default 1), BENCH_SERIES (application series, default 0),
//      BENCH_METRICS_TIMEOUT_MS (the package's metricsTimeoutMs), BENCH_EXPORTER_DIR (see setups.mjs)
// commands:
//   start <set-up>   start a set-up now (the cost table starts each after a run with nothing)
//   block <ms>       block the main thread with a busy loop
//   run <ms>         work items (work.mjs, `task`) one after another until <ms> have passed
//   spin <n>         a fixed amount of work on the main thread, without yielding: <n> rounds; says how long it took
//   mem              RSS and main-thread heap after gc()
//   peak             the peak RSS since the last `peak` (VmHWM of /proc, then reset), without gc()
//   elu              the main thread's event-loop active time so far
//   exit
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { startSetup } from './setups.mjs';
import { runFor } from './work.mjs';

const options = {
  threshold: Number(process.env.BENCH_THRESHOLD ?? '1'),
  series: Number(process.env.BENCH_SERIES ?? '0'),
  metricsTimeoutMs: process.env.BENCH_METRICS_TIMEOUT_MS ? Number(process.env.BENCH_METRICS_TIMEOUT_MS) : undefined,
  exporterDir: process.env.BENCH_EXPORTER_DIR,
};
const say = (object) => process.stdout.write(`${JSON.stringify(object)}\n`);

say({ port: await startSetup(process.argv[2], options) });

const input = createInterface({ input: process.stdin });
input.on('line', async (line) => {
  const [command, arg] = line.split(' ');
  if (command === 'start') {
    say({ started: arg, port: await startSetup(arg, options) });
  } else if (command === 'block') {
    const started = Date.now();
    say({ blocking: started });
    while (Date.now() - started < Number(arg)) {
      // synchronous: the event loop is blocked
    }
    say({ unblocked: Date.now() });
  } else if (command === 'run') {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const { items, ms, sink } = await runFor('task', Number(arg));
    delay.disable();
    say({ run: { items, ms, eldP99Ms: delay.percentile(99) / 1e6, sink } });
  } else if (command === 'spin') {
    const started = performance.now();
    say({ spinning: Date.now() });
    let x = 0;
    for (let i = 0; i < Number(arg); i++) x = (x + Math.sqrt(i)) % 1e9;
    say({ spun: { ms: performance.now() - started, x } });
  } else if (command === 'mem') {
    globalThis.gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    say({ mem: { rss, heapUsed } });
  } else if (command === 'peak') {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const kib = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
    // Writing 5 to clear_refs resets the peak to the current RSS (Linux 4.0+).
    writeFileSync('/proc/self/clear_refs', '5');
    say({ peak: { rss: kib * 1024 } });
  } else if (command === 'elu') {
    say({ elu: { activeMs: performance.eventLoopUtilization().active } });
  } else if (command === 'exit') {
    process.exit(0);
  }
});

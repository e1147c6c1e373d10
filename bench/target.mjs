// A worker process under test, driven over stdin, answering on stdout (JSON lines).
//   node target.mjs <set-up>          (set-ups: setups.mjs)
// env: BENCH_THRESHOLD (s, default 1), BENCH_SERIES (application series, default 0),
//      BENCH_METRICS_TIMEOUT_MS (the package's metricsTimeoutMs), BENCH_EXPORTER_DIR (see setups.mjs)
// commands:
//   start <set-up>   start a set-up now (the cost table starts each after a run with nothing)
//   stop             stop the set-up started last (setups.mjs: off, package and floor can be stopped)
//   block <ms>       block the main thread with a busy loop
//   run <ms>         work items (work.mjs: `task`, or BENCH_WORKLOAD) one after another until <ms> have passed;
//                    says the time inside the items, the main thread's GC time, and what each kind of
//                    thread took of the cores meanwhile (schedstat: the main thread, the set-up's, the rest)
//   spin <n>         a fixed amount of work on the main thread, without yielding: <n> rounds; says how long it took
//   mem              RSS before gc(), then RSS and main-thread heap after gc()
//   peak             the peak RSS since the last `peak` (VmHWM of /proc, then reset), without gc()
//   breakdown        where the memory is (memory-breakdown.mjs): RSS by kind of mapping, the V8 heaps of
//                    the main thread and of the set-up's thread by space; before gc() and after it (gc() of
//                    the main thread; with BENCH_THREAD_GC, the set-up's thread collects its heap before
//                    each of the two answers, and says so: `thread.collected`)
//   elu              the main thread's event-loop active time so far
//   exit
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { readdirSync, readFileSync } from 'node:fs';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { startSetup, stopSetup, threadHeap } from './setups.mjs';
import { runFor } from './work.mjs';

const options = {
  threshold: Number(process.env.BENCH_THRESHOLD ?? '1'),
  series: Number(process.env.BENCH_SERIES ?? '0'),
  metricsTimeoutMs: process.env.BENCH_METRICS_TIMEOUT_MS ? Number(process.env.BENCH_METRICS_TIMEOUT_MS) : undefined,
  exporterDir: process.env.BENCH_EXPORTER_DIR,
};
const say = (object) => process.stdout.write(`${JSON.stringify(object)}\n`);

/** The threads there were before a set-up started (or before the first run): any other thread is the set-up's. */
let baseThreads;

const threadIds = () => readdirSync('/proc/self/task').map(Number);

say({ port: await startSetup(process.argv[2], options) });

const input = createInterface({ input: process.stdin });
input.on('line', async (line) => {
  const [command, arg] = line.split(' ');
  if (command === 'start') {
    baseThreads = new Set(threadIds());
    say({ started: arg, port: await startSetup(arg, options) });
  } else if (command === 'stop') {
    await stopSetup();
    say({ stopped: true });
  } else if (command === 'block') {
    const started = Date.now();
    say({ blocking: started });
    while (Date.now() - started < Number(arg)) {
      // synchronous: the event loop is blocked
    }
    say({ unblocked: Date.now() });
  } else if (command === 'run') {
    baseThreads ??= new Set(threadIds());
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    let gcMs = 0;
    const gc = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gcMs += entry.duration;
    });
    gc.observe({ entryTypes: ['gc'] });
    const before = schedSample();
    const { items, ms, workMs, sink } = await runFor(process.env.BENCH_WORKLOAD ?? 'task', Number(arg));
    const sched = schedDelta(before, schedSample());
    delay.disable();
    for (const entry of gc.takeRecords()) gcMs += entry.duration;
    gc.disconnect();
    say({ run: { items, ms, workMs, gcMs, sched, eldP99Ms: delay.percentile(99) / 1e6, sink } });
  } else if (command === 'spin') {
    const started = performance.now();
    say({ spinning: Date.now() });
    let x = 0;
    for (let i = 0; i < Number(arg); i++) x = (x + Math.sqrt(i)) % 1e9;
    say({ spun: { ms: performance.now() - started, x } });
  } else if (command === 'mem') {
    const rssNoGc = process.memoryUsage.rss();
    globalThis.gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    say({ mem: { rss, heapUsed, rssNoGc } });
  } else if (command === 'peak') {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const kib = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
    // Writing 5 to clear_refs resets the peak to the current RSS (Linux 4.0+).
    writeFileSync('/proc/self/clear_refs', '5');
    say({ peak: { rss: kib * 1024 } });
  } else if (command === 'breakdown') {
    const noGc = await memorySample();
    globalThis.gc?.(); // the main thread's heap only: another thread's is not collected by it
    say({ breakdown: { noGc, gc: await memorySample() } });
  } else if (command === 'elu') {
    say({ elu: { activeMs: performance.eventLoopUtilization().active } });
  } else if (command === 'exit') {
    process.exit(0);
  }
});

/**
 * Each thread's time on a core and waiting for one (ns, from /proc/self/task/<tid>/schedstat): the main
 * thread's, the set-up's threads' summed, the rest summed (V8's platform threads, libuv's pool).
 */
function schedSample() {
  const sample = new Map();
  for (const tid of threadIds()) {
    try {
      const [run, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      sample.set(tid, { run, wait });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return sample;
}

/** What each kind of thread took between two samples, in ms; a thread in only one of them is left out. */
function schedDelta(before, after) {
  const out = { mainRunMs: 0, mainWaitMs: 0, setupCpuMs: 0, otherCpuMs: 0 };
  for (const [tid, b] of before) {
    const a = after.get(tid);
    if (!a) continue;
    const runMs = (a.run - b.run) / 1e6;
    if (tid === process.pid) {
      out.mainRunMs = runMs;
      out.mainWaitMs = (a.wait - b.wait) / 1e6;
    } else if (baseThreads.has(tid)) {
      out.otherCpuMs += runMs;
    } else {
      out.setupCpuMs += runMs;
    }
  }
  return out;
}

/** RSS by kind of mapping (bytes): the allocator's brk heap, other anonymous memory (V8 heaps, malloc arenas, stacks), files (the node binary, libraries). */
function mappings() {
  const kinds = { rss: 0, allocatorHeap: 0, anonymous: 0, files: 0 };
  let kind = 'anonymous';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const name = head[1];
      kind = name === '[heap]' ? 'allocatorHeap' : name === '' || name.startsWith('[') ? 'anonymous' : 'files';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) {
      kinds[kind] += Number(rss[1]) * 1024;
      kinds.rss += Number(rss[1]) * 1024;
    }
  }
  return kinds;
}

/** A V8 heap by space (physical bytes), with its external and malloced memory. */
function heapOf(heap, spaces) {
  const space = (...names) => spaces.filter((s) => names.includes(s.space_name)).reduce((n, s) => n + s.physical_space_size, 0);
  return {
    newSpace: space('new_space', 'new_large_object_space'),
    oldSpace: space('old_space'),
    code: space('code_space', 'code_large_object_space'),
    largeObjects: space('large_object_space'),
    external: heap.external_memory,
    malloced: heap.malloced_memory,
    used: heap.used_heap_size,
  };
}

async function memorySample() {
  // First: the round trip to the thread allocates, and mappings()' read of smaps allocates a string of
  // about a megabyte.
  const main = heapOf(getHeapStatistics(), getHeapSpaceStatistics());
  const thread = await threadHeap();
  return {
    process: mappings(),
    main,
    thread: thread ? { ...heapOf(thread.heap, thread.spaces), collected: thread.collected } : null,
  };
}

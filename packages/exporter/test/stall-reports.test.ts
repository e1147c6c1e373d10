// Stall reports: the health thread names what blocks the event loop, while it is blocked. Each test
// runs a worker process (fixtures/stall-worker.mjs) and reads its standard error and stdout.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { StallEvent, StallReport } from '../src/index.js';
import { HealthcheckConfigError, startWorkerHealthcheck } from '../src/index.js';
import { Child, get, parseExposition, sleep, until } from '@worker-health/testing';

const FIXTURE = new URL('./fixtures/stall-worker.mjs', import.meta.url);
const FIXTURE_FILE = fileURLToPath(FIXTURE);

/** A stall worker whose report lines are kept with the time each arrived here. */
class StallWorker {
  readonly child: Child;
  readonly lines: Array<StallEvent & { arrivedAt: number }> = [];
  readonly notes: Array<Record<string, unknown>> = [];
  private partial = '';

  constructor(env: NodeJS.ProcessEnv, nodeArgs: string[] = []) {
    this.child = new Child(FIXTURE, env, [], { nodeArgs, nextTimeoutMs: 20_000 });
    this.child.process.stderr.on('data', (chunk: Buffer | string) => {
      const arrivedAt = Date.now();
      const text = this.partial + chunk.toString();
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const object = JSON.parse(line) as Record<string, unknown>;
        if ('event' in object) this.lines.push({ ...(object as unknown as StallEvent), arrivedAt });
        else this.notes.push(object);
      }
    });
  }

  async port(): Promise<number> {
    return (await this.child.next('port')).port as number;
  }

  /** Sends a block command; resolves the block's start and end (the worker's clock, epoch ms). */
  async block(command: string): Promise<{ blocking: number; unblocked: number }> {
    this.child.send(command);
    const { blocking } = (await this.child.next('blocking')) as { blocking: number };
    const { unblocked } = (await this.child.next('unblocked', 60_000)) as { unblocked: number };
    return { blocking, unblocked };
  }

  /** The next onStall report, once every line it holds has arrived on standard error too. */
  async stall(): Promise<StallReport> {
    const report = (await this.child.next('stall')).stall as StallReport;
    // The thread writes its lines through libuv's pool, the report goes out on the main thread's
    // stdout: the report may come first.
    await until("the report's lines on standard error", async () =>
      report.events.every((e) => this.lines.some((l) => l.event === e.event && l.time === e.time)) ? true : undefined,
    );
    return report;
  }

  async stop(): Promise<void> {
    await this.child.stop();
  }
}

const firstApp = (event: StallEvent) => event.frames?.find((frame) => frame.kind === 'app');

describe('a block in a named function', () => {
  const worker = new StallWorker({ THRESHOLD: '0.5' });
  after(() => worker.stop());

  it('is reported while it lasts, then how long it lasted; counted on /metrics; onStall once, after it', async () => {
    const port = await worker.port();
    const { blocking, unblocked } = await worker.block('loop 1500');
    const report = await worker.stall();

    const blocked = worker.lines.find((l) => l.event === 'blocked')!;
    assert.ok(blocked, 'a blocked line');
    assert.ok(blocked.arrivedAt < unblocked, `the blocked line arrived ${unblocked - blocked.arrivedAt} ms before the block ended`);
    assert.deepEqual(
      { function: firstApp(blocked)?.function, url: firstApp(blocked)?.url, line: firstApp(blocked)?.line },
      { function: 'spinInOnePlace', url: FIXTURE.href, line: 52 },
      'the first application frame: the blocking function, its file and line',
    );
    assert.equal(blocked.frames?.[0]?.function, 'spinInOnePlace', 'innermost first');
    assert.ok(
      blocked.frames?.some((frame) => frame.kind === 'node'),
      "Node's own frames are there, marked apart",
    );
    assert.equal(blocked.worker, 'my_worker');
    assert.equal(blocked.thresholdSeconds, 0.5);
    assert.ok(blocked.lagSeconds >= 0.5 && blocked.lagSeconds < 1.5, `lag ${blocked.lagSeconds}`);
    assert.ok(!Number.isNaN(Date.parse(blocked.time)), `time ${blocked.time}`);

    const end = worker.lines.find((l) => l.event === 'unblocked')!;
    const lasted = (unblocked - blocking) / 1000;
    assert.ok(
      end.durationSeconds! >= lasted - 0.02 && end.durationSeconds! <= lasted + 0.1 + 0.05,
      `duration ${end.durationSeconds} s for a block of ${lasted} s (within one 100 ms heartbeat interval)`,
    );

    assert.ok(
      worker.child.lines.every((line) => !('stall' in line)),
      'onStall was called once',
    );
    assert.deepEqual(report.frames, blocked.frames, 'onStall has the same frames');
    assert.equal(report.durationSeconds, end.durationSeconds);
    assert.deepEqual(
      report.events.map((e) => e.event),
      worker.lines.map((l) => l.event),
    );
    assert.equal(report.native, false);

    const metrics = parseExposition((await get(port, '/metrics')).body);
    assert.equal(metrics.get('worker_health_event_loop_blocks_total')?.samples[0]?.value, 1);
    const durations = metrics.get('worker_health_event_loop_block_duration_seconds')?.samples ?? [];
    assert.equal(durations.find((s) => s.name.endsWith('_count'))?.value, 1);
    assert.equal(durations.find((s) => s.name.endsWith('_bucket') && s.labels === '{le="2.5"}')?.value, 1);
    assert.equal(durations.find((s) => s.name.endsWith('_bucket') && s.labels === '{le="1"}')?.value, 0);
  });
});

describe('a block of four thresholds', () => {
  const worker = new StallWorker({ THRESHOLD: '0.4' });
  after(() => worker.stop());

  it('a loop in one function: the stack again at each threshold, "same place", at most 5 in all', async () => {
    await worker.port();
    worker.lines.length = 0;
    await worker.block('loop 1800');
    await worker.stall();
    const captures = worker.lines.filter((l) => l.event === 'blocked' || l.event === 'still blocked');
    assert.equal(captures[0]?.event, 'blocked');
    assert.ok(captures.length >= 4 && captures.length <= 5, `${captures.length} captures in a block of 4.5 thresholds`);
    assert.deepEqual(
      captures.slice(1).map((c) => [c.event, c.moved, firstApp(c)?.function]),
      captures.slice(1).map(() => ['still blocked', false, 'spinInOnePlace']),
    );
  });

  it('a chain of different functions: "moved" at each capture', async () => {
    worker.lines.length = 0;
    await worker.block('chain 1800');
    await worker.stall();
    const captures = worker.lines.filter((l) => l.event === 'blocked' || l.event === 'still blocked');
    assert.ok(captures.length >= 4, `${captures.length} captures`);
    const places = captures.map((c) => firstApp(c)?.function);
    assert.ok(
      places.every((p) => p?.startsWith('step') || p === 'spinInOnePlace'),
      places.join(', '),
    );
    for (const [i, capture] of captures.entries()) {
      if (i === 0) continue;
      assert.equal(capture.moved, places[i] !== places[i - 1], `capture ${i}: ${places[i - 1]} → ${places[i]}`);
    }
    assert.ok(
      captures.slice(1).some((c) => c.moved),
      `the stack moved: ${places.join(' → ')}`,
    );
  });

  it('a block ten thresholds long: still at most 5 captures', async () => {
    worker.lines.length = 0;
    await worker.block('loop 4200');
    await worker.stall();
    assert.equal(worker.lines.filter((l) => l.event === 'blocked' || l.event === 'still blocked').length, 5);
  });
});

describe('a block in native code', () => {
  const worker = new StallWorker({ THRESHOLD: '0.4' });
  after(() => worker.stop());

  it('says native code within the bounded wait, and marks the stack that comes after as late, never the culprit', async () => {
    await worker.port();
    const { blocking, unblocked } = await worker.block('native 2');
    const report = await worker.stall();
    const blocked = worker.lines.find((l) => l.event === 'blocked')!;
    assert.equal(blocked.native, true);
    assert.deepEqual(blocked.frames, []);
    assert.ok(blocked.arrivedAt < unblocked, 'reported while blocked');
    // The threshold, then at most the 500 ms wait (and a 100 ms heartbeat and some scheduling).
    assert.ok(blocked.arrivedAt - blocking <= 400 + 500 + 100 + 300, `reported ${blocked.arrivedAt - blocking} ms into the block`);
    assert.match(blocked.msg, /did not reach JavaScript within 500 ms/);
    const late = worker.lines.find((l) => l.event === 'late stack');
    assert.ok(late, `a late stack line: ${worker.lines.map((l) => l.event).join(', ')}`);
    assert.equal(late.late, true);
    assert.match(late.msg, /taken late, so not the blocking code/);
    assert.ok(
      worker.lines.filter((l) => l.event !== 'late stack').every((l) => !l.frames?.length),
      `no line but the late one carries a stack: ${worker.lines.map((l) => `${l.event} (${l.frames?.length ?? 0} frames, lag ${l.lagSeconds})`).join(', ')}`,
    );
    assert.equal(report.native, true);
    assert.deepEqual(report.frames, [], 'the report names no stack as the blocking one');
    assert.ok(
      report.events.some((e) => e.event === 'late stack'),
      'the report holds the late stack line',
    );
  });
});

describe('the switch', () => {
  it('off (option): no report, no inspector session ever opened; blocks still counted', async () => {
    const worker = new StallWorker({ THRESHOLD: '0.3', STALL_REPORTS: 'false', THREAD: './inspector-thread.mjs', INSPECTOR: 'count' });
    try {
      const port = await worker.port();
      await worker.block('loop 900');
      await sleep(300);
      assert.deepEqual(worker.lines, []);
      assert.deepEqual(worker.notes, []);
      assert.equal(worker.child.lines.filter((l) => l.type === 'test:inspector-session').length, 0, 'no Session was made');
      assert.equal(worker.child.lines.filter((l) => 'stall' in l).length, 0, 'no onStall');
      assert.equal(parseExposition((await get(port, '/metrics')).body).get('worker_health_event_loop_blocks_total')?.samples[0]?.value, 1);
    } finally {
      await worker.stop();
    }
  });

  it('on, through the same counting thread: a Session for each capture, none left between blocks', async () => {
    const worker = new StallWorker({ THRESHOLD: '0.3', THREAD: './inspector-thread.mjs', INSPECTOR: 'count' });
    try {
      await worker.port();
      await worker.block('loop 500');
      await worker.stall();
      await worker.block('loop 500');
      await worker.stall();
      const captures = worker.lines.filter((l) => l.event === 'blocked' || l.event === 'still blocked').length;
      assert.equal(worker.lines.filter((l) => l.event === 'blocked').length, 2);
      assert.deepEqual(
        worker.child.lines.filter((l) => l.type === 'test:inspector-session').map((l) => l.sessions),
        Array.from({ length: captures }, (_, i) => i + 1),
        'one Session made per capture',
      );
    } finally {
      await worker.stop();
    }
  });

  it('WORKER_HEALTH_STALL_REPORTS=false turns them off; a bad value or option is a HealthcheckConfigError', async () => {
    const worker = new StallWorker({ THRESHOLD: '0.3', WORKER_HEALTH_STALL_REPORTS: 'false' });
    try {
      await worker.port();
      await worker.block('loop 700');
      await sleep(300);
      assert.deepEqual(worker.lines, []);
    } finally {
      await worker.stop();
    }
    await assert.rejects(
      startWorkerHealthcheck({ workerName: 'w', port: 0, env: { WORKER_HEALTH_STALL_REPORTS: 'maybe' } }),
      (error: unknown) => error instanceof HealthcheckConfigError && error.setting === 'WORKER_HEALTH_STALL_REPORTS',
    );
    await assert.rejects(
      startWorkerHealthcheck({ workerName: 'w', port: 0, stallReports: 'yes' as unknown as boolean }),
      /^HealthcheckConfigError: stallReports="yes" is not valid: expected true or false$/,
    );
    await assert.rejects(
      startWorkerHealthcheck({ workerName: 'w', port: 0, onStall: 'log' as unknown as () => void }),
      /onStall="log" is not valid: expected a function taking a StallReport/,
    );
  });

  it('with an inspector server open (--inspect): off by default, said once; on when asked', async () => {
    const quiet = new StallWorker({ THRESHOLD: '0.3' }, ['--inspect=127.0.0.1:0']);
    try {
      await quiet.port();
      await quiet.block('loop 700');
      await quiet.block('loop 700');
      await sleep(300);
      assert.deepEqual(quiet.lines, [], 'no report');
      assert.equal(quiet.notes.length, 1, `said once: ${JSON.stringify(quiet.notes)}`);
      assert.match(
        String(quiet.notes[0]?.msg),
        /no stall report is written, because an inspector server is open .*WORKER_HEALTH_STALL_REPORTS=true/,
      );
    } finally {
      await quiet.stop();
    }
    const asked = new StallWorker({ THRESHOLD: '0.3', WORKER_HEALTH_STALL_REPORTS: 'true' }, ['--inspect=127.0.0.1:0']);
    try {
      await asked.port();
      await asked.block('loop 700');
      await asked.stall();
      assert.equal(firstApp(asked.lines.find((l) => l.event === 'blocked')!)?.function, 'spinInOnePlace');
    } finally {
      await asked.stop();
    }
  });

  it('a Node without the inspector: says why once (onError), reports the block without a stack, /health goes on', async () => {
    const worker = new StallWorker({ THRESHOLD: '0.3', THREAD: './inspector-thread.mjs', INSPECTOR: 'unavailable' });
    try {
      const port = await worker.port();
      const probe = (async () => {
        await sleep(600);
        return (await get(port, '/health', 'GET', 2_000)).status;
      })();
      await worker.block('loop 1200');
      assert.equal(await probe, 503, '/health during the block');
      await worker.stall();
      await worker.block('loop 700');
      await worker.stall();
      assert.equal((await get(port, '/health')).status, 200);
      const errors = worker.child.lines.filter((l) => 'error' in l);
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.equal(errors[0]?.code, 'ERR_WORKER_HEALTH_STALL_REPORT');
      assert.match(String(errors[0]?.error), /ERR_INSPECTOR_NOT_AVAILABLE/);
      const blocked = worker.lines.filter((l) => l.event === 'blocked');
      assert.equal(blocked.length, 2);
      assert.ok(
        blocked.every((l) => l.stackUnavailable?.includes('built without the inspector') && l.frames?.length === 0),
        JSON.stringify(blocked),
      );
      assert.equal(worker.lines.filter((l) => l.event === 'still blocked').length, 0, 'no capture repeated in vain');
    } finally {
      await worker.stop();
    }
  });
});

describe('many stalls in one process', () => {
  it('200 stalls: every one reported, no growth in RSS, threads or handles', { timeout: 120_000 }, async (t) => {
    const worker = new StallWorker({ THRESHOLD: '0.02', HEARTBEAT_MS: '5' }, ['--expose-gc']);
    try {
      await worker.port();
      const sample = async () => {
        worker.child.send('gc');
        const { handles } = (await worker.child.next('gc')) as { handles: number };
        const status = spawnSync('cat', [`/proc/${worker.child.process.pid}/status`], { encoding: 'utf8' }).stdout;
        return {
          rssKiB: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]),
          threads: Number(/Threads:\s+(\d+)/.exec(status)?.[1]),
          handles,
        };
      };
      for (let i = 0; i < 20; i++) await worker.block('loop 60');
      await sleep(300);
      const before = await sample();
      for (let i = 0; i < 200; i++) await worker.block('loop 60');
      await until('the 220th report', async () => (worker.child.lines.filter((l) => 'stall' in l).length >= 220 ? true : undefined));
      // Each report's lines come on standard error, maybe after it (see StallWorker.stall).
      await until("the reports' unblocked lines", async () =>
        worker.lines.filter((l) => l.event === 'unblocked').length >= worker.child.lines.filter((l) => 'stall' in l).length
          ? true
          : undefined,
      );
      await sleep(300);
      const afterwards = await sample();
      const reports = worker.child.lines.filter((l) => 'stall' in l).length;
      t.diagnostic(
        `RSS ${before.rssKiB} → ${afterwards.rssKiB} KiB, threads ${before.threads} → ${afterwards.threads}, ` +
          `handles ${before.handles} → ${afterwards.handles}, ${reports} onStall calls`,
      );
      // With a 20 ms threshold the worker's own start may count as a block too: every block seen is reported whole.
      const blocked = worker.lines.filter((l) => l.event === 'blocked').length;
      assert.ok(blocked >= 220, `${blocked} blocked lines`);
      assert.equal(worker.lines.filter((l) => l.event === 'unblocked').length, blocked);
      assert.equal(reports, blocked, 'one onStall per block');
      assert.equal(afterwards.threads, before.threads, 'threads');
      assert.equal(afterwards.handles, before.handles, 'handles');
      assert.ok(afterwards.rssKiB - before.rssKiB < 4_096, `RSS grew ${afterwards.rssKiB - before.rssKiB} KiB over 200 stalls`);
    } finally {
      await worker.stop();
    }
  });
});

describe('teardown around a capture', () => {
  // shutdown(), process.exit(0) and a health-thread crash, each at a moment drawn around the capture of a
  // block (the capture starts at 30 ms of lag and takes a few milliseconds), with and without an inspector
  // server open (where a session left connected would keep the process from exiting). A thread that ended
  // while the main thread settled a session's disconnect made Node abort the process (SIGABRT) in about
  // one crash in a hundred: WORKER_HEALTH_TEARDOWN_RUNS (runs of each kind, default 40) makes that visible.
  const perKind = Number(process.env.WORKER_HEALTH_TEARDOWN_RUNS ?? 40);
  if (!Number.isInteger(perKind) || perKind < 1)
    throw new Error(
      `WORKER_HEALTH_TEARDOWN_RUNS: "${process.env.WORKER_HEALTH_TEARDOWN_RUNS}" is not a whole number of runs; give 1 or more`,
    );
  it(`${perKind * 6} teardowns: no abort, no hang, every process ends by itself with code 0`, { timeout: 7_500 * perKind }, async (t) => {
    let seed = 20_261_201;
    const draw = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const runs: Array<{ mode: string; inspect: boolean; blockMs: number; delayMs: number }> = [];
    for (const mode of ['shutdown', 'exit', 'crash'])
      for (const inspect of [false, true])
        for (let i = 0; i < perKind; i++) runs.push({ mode, inspect, blockMs: 35 + draw(90), delayMs: draw(40) });
    const teardown = new URL('./fixtures/teardown-worker.mjs', import.meta.url).pathname;
    const bad: string[] = [];
    let notices = 0;
    const one = async (run: (typeof runs)[number]) => {
      const args = [...(run.inspect ? ['--inspect=127.0.0.1:0'] : []), teardown, run.mode, String(run.blockMs), String(run.delayMs)];
      const { spawn } = await import('node:child_process');
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('close', (c, s) => resolve([c, s])));
      clearTimeout(killer);
      const line = `${run.mode}${run.inspect ? ' --inspect' : ''} block ${run.blockMs} ms, delay ${run.delayMs} ms`;
      if (code !== 0 || signal !== null) bad.push(`${line}: exit ${code} ${signal ?? ''} ${stderr.slice(-300)}`);
      else if (/FATAL|Abort/i.test(stderr)) bad.push(`${line}: ${stderr.slice(-300)}`);
      // Node's own notice when process.exit() lands while a stack is being taken; the process still ends at once.
      if (/Waiting for the debugger to disconnect/.test(stderr)) notices++;
    };
    // Two at a time (the machine has two cores).
    let next = 0;
    await Promise.all(
      [0, 1].map(async () => {
        while (next < runs.length) await one(runs[next++]!);
      }),
    );
    t.diagnostic(`${runs.length} teardowns, ${bad.length} bad, ${notices} with Node's "Waiting for the debugger to disconnect" notice`);
    assert.deepEqual(bad, []);
  });
});

describe('the fixture', () => {
  it('names the loop at the line the tests expect', async () => {
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(FIXTURE_FILE, 'utf8')).split('\n');
    assert.match(lines[51] ?? '', /while \(Date\.now\(\) < end\) x \+= Math\.sqrt\(x \+ 1\);/);
  });
});

// Blocks a worker in native code (execSync('sleep 2')) again and again, and counts the blocks whose
// report holds a stack other than the late one: a stack taken after the main thread was back.
// With --load, one busy process per core runs beside it, as on a loaded machine.
//   node scripts/native-block-stacks.mjs [rounds=20] [--load] [--fixture=<stall-worker.mjs>]
// Needs the build (the fixture runs dist/); --fixture runs another checkout's fixture.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const rounds = Number(args.find((a) => /^\d+$/.test(a)) ?? 20);
const fixture =
  args.find((a) => a.startsWith('--fixture='))?.slice('--fixture='.length) ??
  fileURLToPath(new URL('../test/fixtures/stall-worker.mjs', import.meta.url));
const hogs = args.includes('--load')
  ? Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' }))
  : [];

const child = spawn(process.execPath, [fixture], { env: { ...process.env, THRESHOLD: '0.4' }, stdio: ['pipe', 'pipe', 'pipe'] });
const lines = [];
const waiters = [];
const split = (stream, onLine) => {
  let partial = '';
  stream.on('data', (chunk) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop();
    for (const part of parts) if (part.startsWith('{')) onLine(JSON.parse(part));
  });
};
split(child.stderr, (line) => 'event' in line && lines.push(line));
split(child.stdout, (object) => {
  for (const waiter of [...waiters]) {
    if (waiter.key in object) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(object);
    }
  }
});
const next = (key) => new Promise((resolve, reject) => waiters.push({ key, resolve, reject }));
// A fixture that dies fails the waits, so the busy processes are stopped too.
child.on('exit', (code, signal) => {
  for (const waiter of waiters.splice(0)) waiter.reject(new Error(`the worker exited (${signal ?? code}) while waiting for ${waiter.key}`));
});

try {
  await next('port');
  let stray = 0;
  for (let i = 0; i < rounds; i++) {
    lines.length = 0;
    child.stdin.write('native 2\n');
    await next('stall');
    await new Promise((resolve) => setTimeout(resolve, 200)); // the report (stdout) may pass the last lines (stderr)
    const bad = lines.filter((l) => l.event !== 'late stack' && l.frames?.length);
    if (bad.length > 0) stray++;
    console.log(
      `${i + 1}: ${lines.map((l) => `${l.event} (${l.frames?.length ?? 0} frames)`).join(', ')}${bad.length ? '  <- a stack after the block' : ''}`,
    );
  }
  console.log(
    `${stray} of ${rounds} native blocks with a stack other than the late one (${process.version}${hogs.length ? `, ${hogs.length} busy processes beside` : ''})`,
  );
} finally {
  if (child.exitCode === null && child.signalCode === null) child.stdin.write('exit\n');
  for (const hog of hogs) hog.kill();
}

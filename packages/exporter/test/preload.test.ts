import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeOptionsWithoutPreloads, threadExecOptions, withoutPreloads } from '../src/main/preload-flags.js';
import { Child, get, sleep } from '@worker-health/testing';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

describe('preload flags', () => {
  it('drops --import, --require, -r and --loader with their values, in both forms', () => {
    assert.deepEqual(
      withoutPreloads([
        '--enable-source-maps',
        '--import',
        './otel.mjs',
        '--import=tsx',
        '-r',
        'dotenv/config',
        '--require=./a.cjs',
        '--loader',
        'ts-node/esm',
        '--experimental-loader=./hooks.mjs',
        '--max-old-space-size=512',
      ]),
      ['--enable-source-maps', '--max-old-space-size=512'],
    );
  });

  it('splits NODE_OPTIONS as Node does (double quotes group, backslash escapes) and keeps the other flags', () => {
    assert.equal(
      nodeOptionsWithoutPreloads('--import "./my otel.mjs" --enable-source-maps --require=x.cjs --title "a \\"b\\""'),
      '--enable-source-maps --title "a \\"b\\""',
    );
    assert.equal(nodeOptionsWithoutPreloads('--import ./otel.mjs'), undefined);
    assert.equal(nodeOptionsWithoutPreloads(undefined), undefined);
  });

  it('gives the thread no command-line flags and the parent env less its preloads, without changing the parent', () => {
    const env = { NODE_OPTIONS: '-r ./x.cjs --trace-warnings', OTEL_SERVICE_NAME: 'svc' };
    const options = threadExecOptions(env);
    assert.deepEqual(options, { execArgv: [], env: { NODE_OPTIONS: '--trace-warnings', OTEL_SERVICE_NAME: 'svc' } });
    assert.equal(env.NODE_OPTIONS, '-r ./x.cjs --trace-warnings');
    assert.equal('NODE_OPTIONS' in threadExecOptions({ NODE_OPTIONS: '--import a' }).env, false);
  });
});

describe('the health thread runs none of the process preloads', () => {
  it('an --import preload runs once, in the main thread', async () => {
    const child = new Child(process.execPath, {}, ['--import', fixture('preload-counter.mjs'), fixture('start-and-stop.mjs')]);
    await child.next('shutDownAt');
    const { code } = await child.closed();
    assert.equal(code, 0, child.stderr);
    const runs = child.lines.filter((line) => 'preloadRan' in line);
    assert.deepEqual(runs, [{ preloadRan: 0, isMainThread: true }]);
  });

  it('flags that Node refuses in a worker (V8 flags, --title) do not stop the start', async () => {
    const args = ['--expose-gc', '--max-old-space-size=300', '--title=worker-health-test', fixture('start-and-stop.mjs')];
    const child = new Child(process.execPath, { NODE_OPTIONS: '--max-semi-space-size=4 --trace-warnings' }, args);
    await child.next('shutDownAt');
    assert.equal((await child.closed()).code, 0, child.stderr);
  });

  it('a NODE_OPTIONS --require preload that calls process.chdir() does not stop the start', async () => {
    const child = new Child(new URL('./fixtures/start-and-stop.mjs', import.meta.url), {
      NODE_OPTIONS: `--require "${fixture('chdir-preload.cjs')}" --import=${fixture('preload-counter.mjs')}`,
    });
    await child.next('shutDownAt');
    const { code } = await child.closed();
    assert.equal(code, 0, child.stderr);
    assert.equal(child.lines.filter((line) => 'preloadRan' in line).length, 1);
  });

  it('a preload that starts the healthcheck itself starts exactly one', async () => {
    const child = new Child(process.execPath, {}, ['--import', fixture('self-starting-preload.mjs'), fixture('idle-app.mjs')]);
    const { port } = (await child.next('port')) as { port: number };
    await child.next('appStarted');
    assert.equal((await get(port, '/health')).status, 200);
    await sleep(500); // a preload running again in the thread would have printed by now
    assert.equal(child.lines.filter((line) => 'preloadRan' in line).length, 1);
    child.process.stdin.end('stop\n');
    const { code } = await child.closed();
    assert.equal(code, 0, child.stderr);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Child } from '../src/index.js';

describe('Child', () => {
  it('reads JSON lines by key, keeps other lines as text, and is answered over stdin', async () => {
    const child = new Child(process.execPath, {}, [
      '-e',
      `console.log('hello'); console.log(JSON.stringify({ ready: 1 }));
       require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
         if (line === 'exit') process.exit(0);
         console.log(JSON.stringify({ echo: line }));
       });`,
    ]);
    assert.deepEqual(await child.next('ready'), { ready: 1 });
    assert.deepEqual(await child.next('text'), { text: 'hello' });
    child.send('ping');
    assert.deepEqual(await child.next('echo'), { echo: 'ping' });
    await child.stop();
    assert.deepEqual(await child.exited(), { code: 0, signal: null });
  });

  it('fails at once, naming the key and the stderr, when the child ends without the line', { timeout: 60_000 }, async () => {
    const child = new Child(process.execPath, {}, ['-e', 'console.error("boom"); process.exit(3)']);
    await assert.rejects(child.next('port', 600_000), /printed no "port" before its stdout closed; stderr: boom/);
    assert.equal((await child.exited()).code, 3);
  });

  it('kills a child that ignores exit', async () => {
    const child = new Child(process.execPath, {}, ['-e', 'setInterval(() => {}, 1000); console.log("started")']);
    await child.next('text');
    await child.stop(200);
    assert.equal((await child.exited()).signal, 'SIGKILL');
  });

  it('runs a node script from a URL with node options', async () => {
    const child = new Child(new URL('./fixtures/gc.mjs', import.meta.url), {}, [], { nodeArgs: ['--expose-gc'] });
    assert.deepEqual(await child.next('gc'), { gc: 'function' });
    assert.equal((await child.exited()).code, 0);
  });
});

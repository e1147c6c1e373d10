import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Child, listeningPort, listeningPorts } from '../src/index.js';

const server = (listens: string) => `
  const net = require('node:net');
  const ports = [];
  const listen = (host) => new Promise((resolve) => { const s = net.createServer().listen(0, host, () => { ports.push(s.address().port); resolve(); }); });
  (async () => { ${listens}; console.log(JSON.stringify({ ports })); })();
  setInterval(() => {}, 1000);`;

describe('listeningPort', () => {
  it('finds the port a process got for port 0, on IPv4 and on IPv6', async (t) => {
    const child = new Child(process.execPath, {}, ['-e', server("await listen('127.0.0.1'); await listen('::1')")]);
    t.after(() => child.stop(200));
    const { ports } = (await child.next('ports')) as { ports: number[] };
    assert.deepEqual(
      listeningPorts(child.process.pid!),
      [...ports].sort((a, b) => a - b),
    );
  });

  it('resolves the one port, and names the process and its ports when it has more than one', async (t) => {
    const one = new Child(process.execPath, {}, ['-e', server("await listen('127.0.0.1')")]);
    const two = new Child(process.execPath, {}, ['-e', server("await listen('127.0.0.1'); await listen('127.0.0.1')")]);
    t.after(() => Promise.all([one.stop(200), two.stop(200)]));
    const [port] = ((await one.next('ports')) as { ports: number[] }).ports;
    assert.equal(await listeningPort(one.process.pid!, 'one'), port);
    await two.next('ports');
    await assert.rejects(listeningPort(two.process.pid!, 'two'), /^Error: two listens on 2 ports \(\d+, \d+\); expected one$/);
  });

  it('says which process never listened, and a process that is gone listens on none', async () => {
    const child = new Child(process.execPath, {}, ['-e', 'setTimeout(() => {}, 2000)']);
    await assert.rejects(
      listeningPort(child.process.pid!, 'the idle child', 300),
      /timed out waiting for the idle child to listen on a port/,
    );
    await child.stop(200);
    await child.exited();
    assert.deepEqual(listeningPorts(child.process.pid!), []);
  });
});

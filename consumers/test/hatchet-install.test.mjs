import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LINES, PACKAGE_MANAGERS } from '../lines.mjs';
import { AppProcess, get } from '../support/app-process.mjs';
import { assertCleanInstall, createConsumer, install, installedVersion } from '../support/consumer.mjs';
import { nodeBinary, nodeVersion } from '../support/node-binary.mjs';
import { packPublished, repoRoot } from '../support/tarballs.mjs';

// The newest SDK version tested: the devDependency of packages/hatchet.
const SDK = JSON.parse(readFileSync(join(repoRoot, 'packages/hatchet/package.json'), 'utf8')).devDependencies[
  '@hatchet-dev/typescript-sdk'
];
const line = LINES.find((entry) => entry.node === 'system');
const tarballs = packPublished();

for (const packageManager of PACKAGE_MANAGERS) {
  describe(`@worker-health/hatchet beside @hatchet-dev/typescript-sdk@${SDK}, ${packageManager} install, Node ${line.node}`, () => {
    let node;
    let dir;
    let installed;

    before(() => {
      node = nodeBinary(line.node);
      dir = createConsumer({
        otel: line.otel,
        tarballs,
        app: 'app-hatchet',
        // Declined as a user would: the SDK's and protobufjs's install scripts only print notices.
        deniedBuilds: ['@hatchet-dev/typescript-sdk', 'protobufjs'],
        dependencies: { '@worker-health/hatchet': `file:${tarballs.hatchet}`, '@hatchet-dev/typescript-sdk': SDK },
        // The hatchet package's packed manifest names the exporter's version: the packed exporter.
        overrides: { '@worker-health/exporter': `file:${tarballs.exporter}` },
      });
      installed = install(dir, packageManager, node);
    });
    after(() => dir && rmSync(dir, { recursive: true, force: true }));

    it('installs with no resolution error, peer warning or engine warning', (t) => {
      t.diagnostic(`node ${nodeVersion(node)}`);
      assertCleanInstall(installed, packageManager);
      assert.equal(installedVersion(dir, '@hatchet-dev/typescript-sdk'), SDK);
    });

    it("watches a worker of the installed SDK with no warning, and serves the SDK's families", async () => {
      const app = new AppProcess(dir, node);
      try {
        const port = await app.ready(30_000);
        assert.deepEqual(app.messages.find((message) => message.port === port)?.warnings, [], app.output);
        const health = await get(port, '/health');
        assert.equal(health.status, 503);
        assert.deepEqual(JSON.parse(health.body), { status: 'STARTING' }, 'not started: no stream, no heartbeat');
        const metrics = await get(port, '/metrics');
        assert.match(metrics.body, /^# HELP hatchet_worker_slots Total slots available on the worker$/m);
        assert.match(metrics.body, /^hatchet_worker_slots 3$/m, metrics.body);
        assert.match(metrics.body, /^hatchet_worker_status 0$/m, 'the SDK says INITIALIZED');
        assert.match(metrics.body, /^hatchet_worker_listener_reason\{reason="starting"\} 1$/m);
        // The SDK's own SIGTERM handling exits the process.
        assert.deepEqual(await app.stop(15_000), { code: 0, signal: null }, app.output);
        assert.doesNotMatch(app.output, /\(node:\d+\) \S*Warning/, 'no process warning');
      } finally {
        app.kill();
      }
    });
  });
}

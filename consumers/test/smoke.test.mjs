import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { LINES, PACKAGE_MANAGERS } from '../lines.mjs';
import { AppProcess, assertServesApp, assertStopsByItself } from '../support/app-process.mjs';
import { complaints, createConsumer, install, installedPackages, installedVersion } from '../support/consumer.mjs';
import { nodeBinary, nodeVersion } from '../support/node-binary.mjs';
import { packPublished } from '../support/tarballs.mjs';

// Used by the health thread only, which carries them in its bundle: a user must not get them.
const THREAD_ONLY = ['@opentelemetry/exporter-prometheus', '@opentelemetry/host-metrics', '@opentelemetry/instrumentation-runtime-node'];

const tarballs = packPublished();

for (const line of LINES) {
  for (const packageManager of PACKAGE_MANAGERS) {
    const otel = Object.entries(line.otel)
      .map(([name, range]) => `${name.replace('@opentelemetry/', '')}@${range}`)
      .join(' ');
    describe(`Node ${line.node}, ${otel}, ${packageManager} install`, () => {
      let node;
      let dir;
      let installed;

      before(() => {
        node = nodeBinary(line.node);
        dir = createConsumer({ otel: line.otel, tarballs });
        installed = install(dir, packageManager, node);
      });
      after(() => dir && rmSync(dir, { recursive: true, force: true }));

      it('installs with no resolution error, peer warning or engine warning', (t) => {
        t.diagnostic(`node ${nodeVersion(node)}`);
        assert.equal(installed.status, 0, `${packageManager} install failed:\n${installed.output}`);
        assert.deepEqual(complaints(installed.output), [], `${packageManager} install complained:\n${installed.output}`);
        for (const name of Object.keys(line.otel)) t.diagnostic(`${name}@${installedVersion(dir, name)}`);
      });

      it('installs none of the packages only the health thread uses', () => {
        const names = installedPackages(dir);
        assert.ok(
          names.has('@worker-health/core') && names.has('@opentelemetry/sdk-metrics'),
          `the scan finds the installed packages (found: ${[...names].join(', ')})`,
        );
        assert.deepEqual(
          THREAD_ONLY.filter((name) => names.has(name)),
          [],
        );
      });

      it('serves the app counter and /health 200, passes promtool, and ends by itself after shutdown', async () => {
        const app = new AppProcess(dir, node);
        try {
          const port = await app.ready(20_000);
          const metrics = await assertServesApp(port);
          const promtool = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
          assert.equal(promtool.error, undefined, 'promtool runs (Debian package "prometheus"; .ci/run installs it)');
          assert.equal(promtool.status, 0, `promtool check metrics: ${promtool.stdout}${promtool.stderr}`);
          assert.equal(`${promtool.stdout}${promtool.stderr}`, '');
          await assertStopsByItself(app);
        } finally {
          app.kill();
        }
      });
    });
  }
}

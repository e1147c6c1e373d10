import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IMPORT_LINES } from '../lines.mjs';
import { AppProcess, get } from '../support/app-process.mjs';
import { complaints, createConsumer, install, installedVersion } from '../support/consumer.mjs';
import { nodeBinary, nodeVersion } from '../support/node-binary.mjs';
import { packPublished } from '../support/tarballs.mjs';

// Where app-otel-import/instrumentation.mjs starts the healthcheck (HEALTHCHECK_START).
const STARTS = {
  'preload-before-sdk': 'in the preload, before sdk.start()',
  'preload-after-sdk': 'in the preload, after sdk.start()',
  app: 'in the app, after the preload',
};
const RESOURCE = { OTEL_SERVICE_NAME: 'otel-import-consumer', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=ci,service.version=1.2.3' };
const SPAN_KIND_SERVER = 1;
const PROBES = ['/health', '/livez', '/readyz', '/metrics'];

const tarballs = packPublished();

for (const line of IMPORT_LINES) {
  const versions = ['sdk-node', 'auto-instrumentations-node'].map((name) => `${name}@${line.otel[`@opentelemetry/${name}`]}`).join(', ');
  describe(`node --import ./instrumentation.mjs app.mjs: Node ${line.node}, ${versions}, ${line.packageManager} install`, () => {
    let node;
    let dir;
    let installed;

    before(() => {
      node = nodeBinary(line.node);
      // protobufjs (under the OTLP exporters) has an install script that only prints a version notice.
      dir = createConsumer({ otel: line.otel, tarballs, app: 'app-otel-import', deniedBuilds: ['protobufjs'] });
      installed = install(dir, line.packageManager, node);
    });
    after(() => dir && rmSync(dir, { recursive: true, force: true }));

    it('installs with no resolution error, peer warning or engine warning', (t) => {
      t.diagnostic(`node ${nodeVersion(node)}`);
      assert.equal(installed.status, 0, `${line.packageManager} install failed:\n${installed.output}`);
      assert.deepEqual(complaints(installed.output), [], `${line.packageManager} install complained:\n${installed.output}`);
      for (const name of ['@opentelemetry/sdk-metrics', '@opentelemetry/sdk-node']) t.diagnostic(`${name}@${installedVersion(dir, name)}`);
    });

    for (const [start, where] of Object.entries(STARTS)) {
      it(`healthcheck started ${where}: the preload runs once, no SDK in the health thread, /metrics passes promtool with the app's runtime families once and its resource`, async (t) => {
        const events = join(mkdtempSync(join(tmpdir(), 'worker-health-otel-import-')), 'events.jsonl');
        const prometheusPort = await freePort();
        const app = new AppProcess(dir, node, {
          args: ['--import', './instrumentation.mjs', 'app.mjs'],
          env: { ...RESOURCE, OTEL_LOGS_EXPORTER: 'none', CONSUMER_EVENTS: events, APP_PROMETHEUS_PORT: String(prometheusPort), HEALTHCHECK_START: start },
        });
        try {
          const port = await app.ready(30_000);
          const { appPort } = app.messages.find((message) => typeof message.appPort === 'number');

          // The app's own request: the one SERVER span there should be.
          assert.equal((await get(appPort, '/')).status, 200);
          for (const path of PROBES) {
            const probe = await get(port, path);
            assert.equal(probe.status, 200, `${path}: ${probe.body}`);
          }
          const metrics = await get(port, '/metrics');
          await waitFor(() => readEvents(events).some((event) => event.span !== undefined), 5_000, `the app's request made no span:\n${app.output}`);
          // A span the health thread made would have ended before its answer was sent; this leaves room for the file write.
          await new Promise((resolve) => setTimeout(resolve, 300));

          const recorded = readEvents(events);
          assert.deepEqual(
            recorded.filter((event) => 'preloadRan' in event),
            [{ preloadRan: true, isMainThread: true, threadId: 0 }],
            `the preload ran once, in the main thread:\n${app.output}`,
          );
          assert.deepEqual(
            recorded.filter((event) => 'prometheusListening' in event || 'prometheusError' in event),
            [{ prometheusListening: true, isMainThread: true, threadId: 0 }],
            `the app's PrometheusExporter was bound once, by the main thread`,
          );
          assert.deepEqual(recorded.filter((event) => event.isMainThread !== true), [], 'nothing ran in another thread');
          assert.deepEqual(
            recorded.filter((event) => event.kind === SPAN_KIND_SERVER).map(({ path, isMainThread }) => ({ path, isMainThread })),
            [{ path: '/', isMainThread: true }],
            "the only SERVER span is the app's own request: no probe made one",
          );

          assert.equal(metrics.status, 200);
          const families = helpCounts(metrics.body);
          assert.deepEqual([...families].filter(([, count]) => count > 1), [], `no family is served twice:\n${metrics.body}`);
          const promtool = spawnSync('promtool', ['check', 'metrics'], { input: metrics.body, encoding: 'utf8' });
          assert.equal(promtool.error, undefined, 'promtool runs (Debian package "prometheus"; .ci/run installs it)');
          assert.equal(`${promtool.stdout}${promtool.stderr}`, '', `promtool check metrics found:\n${metrics.body}`);
          assert.equal(promtool.status, 0);
          assert.match(metrics.body, /^consumer_tasks_completed_total(\{[^}]*\})? 3$/m, "the app's own counter");
          assert.match(metrics.body, /^hatchet_worker_listener_health_otel_import 1$/m);

          // The runtime families of auto-instrumentations-node, as the app's own exporter serves them, are all on /metrics.
          const own = await get(prometheusPort, '/metrics');
          assert.equal(own.status, 200);
          const runtime = [...helpCounts(own.body).keys()].filter((name) => /^(nodejs_eventloop|v8js)_/.test(name));
          assert.ok(runtime.length >= 5, `the app measures the runtime itself (its runtime families: ${runtime.join(', ')})`);
          assert.deepEqual(runtime.filter((name) => !families.has(name)), [], "every runtime family of the app's is served");
          t.diagnostic(`${families.size} families, ${runtime.length} of them the app's runtime ones`);

          const targets = metrics.body.split('\n').filter((text) => text.startsWith('target_info'));
          assert.equal(targets.length, 1, `one target_info:\n${targets.join('\n')}`);
          const labels = Object.fromEntries([...targets[0].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, name, value]) => [name, value]));
          assert.deepEqual(
            { service_name: labels.service_name, deployment_environment: labels.deployment_environment, service_version: labels.service_version },
            { service_name: 'otel-import-consumer', deployment_environment: 'ci', service_version: '1.2.3' },
            targets[0],
          );

          const end = await app.stop(10_000);
          assert.ok(end, `the process is still running 10 s after sdk.shutdown(): something was left referenced. Output:\n${app.output}`);
          assert.deepEqual(end, { code: 0, signal: null }, app.output);
          assert.ok(app.messages.some((message) => message.stopped === true), `shutdown completed:\n${app.output}`);
          assert.equal(app.output.replace(/^\{.*\}\n/gm, ''), '', 'the app printed nothing but its JSON lines (no warning, no error)');
        } finally {
          app.kill();
          rmSync(join(events, '..'), { recursive: true, force: true });
        }
      });
    }
  });
}

/** A port that was free a moment ago: the app's PrometheusExporter needs a fixed one, so that a second bind would collide. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The JSON lines app-otel-import appended to its events file. */
function readEvents(path) {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((text) => JSON.parse(text));
}

async function waitFor(condition, timeoutMs, message) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** How many `# HELP` lines each family has on a Prometheus page. */
function helpCounts(page) {
  const counts = new Map();
  for (const [, name] of page.matchAll(/^# HELP (\S+)/gm)) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

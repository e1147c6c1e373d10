import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IMPORT_LINES } from '../lines.mjs';
import { AppProcess, assertStopsByItself, get } from '../support/app-process.mjs';
import { complaints, createConsumer, install, installedVersion } from '../support/consumer.mjs';
import { nodeBinary, nodeVersion } from '../support/node-binary.mjs';
import { packPublished } from '../support/tarballs.mjs';

// How the preload is given, and where app-otel-import/instrumentation.mjs starts the healthcheck (HEALTHCHECK_START).
const RUNS = [
  { preload: 'argv', start: 'preload-before-sdk', title: '--import, healthcheck started in the preload before sdk.start()' },
  { preload: 'argv', start: 'preload-after-sdk', title: '--import, healthcheck started in the preload after sdk.start()' },
  { preload: 'argv', start: 'app', title: '--import, healthcheck started in the app after the preload' },
  { preload: 'NODE_OPTIONS', start: 'app', title: 'NODE_OPTIONS=--import, healthcheck started in the app after the preload' },
];
const RESOURCE = { OTEL_SERVICE_NAME: 'otel-import-consumer', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=ci,service.version=1.2.3' };
const SPAN_KIND_SERVER = 1;
const PROBES = ['/health', '/livez', '/readyz', '/metrics'];

const tarballs = packPublished();

for (const line of IMPORT_LINES) {
  const versions = ['sdk-node', 'auto-instrumentations-node'].map((name) => `${name}@${line.otel[`@opentelemetry/${name}`]}`).join(', ');
  describe(`The OpenTelemetry docs' preload (sdk-node, auto-instrumentations-node) with the healthcheck: Node ${line.node}, ${versions}, ${line.packageManager} install`, () => {
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

    for (const { preload, start, title } of RUNS) {
      it(`${title}: the preload runs once, no SDK in the health thread, /metrics passes promtool with the app's runtime families once and its resource`, async (t) => {
        const events = join(mkdtempSync(join(tmpdir(), 'worker-health-otel-import-')), 'events.jsonl');
        const prometheusPort = await freePort();
        const app = new AppProcess(dir, node, {
          args: preload === 'argv' ? ['--import', './instrumentation.mjs', 'app.mjs'] : ['app.mjs'],
          env: {
            ...(preload === 'NODE_OPTIONS' && { NODE_OPTIONS: '--import ./instrumentation.mjs' }),
            ...RESOURCE,
            OTEL_LOGS_EXPORTER: 'none',
            CONSUMER_EVENTS: events,
            APP_PROMETHEUS_PORT: String(prometheusPort),
            HEALTHCHECK_START: start,
          },
        });
        try {
          // A preload that starts the healthcheck and runs again in the health thread starts threads without end: stop at the first.
          const port = await app.ready(30_000, () => {
            const elsewhere = readEvents(events).filter((event) => 'preloadRan' in event && !event.isMainThread);
            if (start !== 'app' && elsewhere.length > 0) {
              throw new Error(
                `the preload, which starts the healthcheck, ran again in another thread before the app was ready: ${JSON.stringify(elsewhere)}`,
              );
            }
          });
          const { appPort } = app.messages.find((message) => typeof message.appPort === 'number');

          // The app's own requests, to its server and to its PrometheusExporter: the SERVER spans there should be.
          // Its Prometheus page is read first: a family that appears in between (a first GC) is then on /metrics too.
          assert.equal((await get(appPort, '/')).status, 200);
          const own = await get(prometheusPort, '/metrics');
          assert.equal(own.status, 200);
          for (const path of PROBES) {
            const probe = await get(port, path);
            assert.equal(probe.status, 200, `${path}: ${probe.body}`);
          }
          const metrics = await get(port, '/metrics');
          const appSpans = () => readEvents(events).filter((event) => event.span !== undefined && event.isMainThread).length;
          await waitFor(() => appSpans() >= 2, 5_000, `the app's two requests made no spans:\n${app.output}`);
          // A span the health thread made would have ended before its answer was sent; this leaves room for the file write.
          await new Promise((resolve) => setTimeout(resolve, 300));

          // One comparison, so that a second SDK in the health thread shows all it did at once.
          const recorded = readEvents(events);
          const main = { isMainThread: true, threadId: 0 };
          assert.deepEqual(
            {
              preloadRuns: recorded.filter((event) => 'preloadRan' in event),
              prometheusBinds: recorded.filter((event) => 'prometheusListening' in event || 'prometheusError' in event),
              serverSpans: recorded
                .filter((event) => event.kind === SPAN_KIND_SERVER)
                .map(({ path, isMainThread }) => ({ path, isMainThread })),
              inOtherThreads: recorded.filter((event) => event.isMainThread !== true).length,
            },
            {
              preloadRuns: [{ preloadRan: true, ...main }],
              prometheusBinds: [{ prometheusListening: true, ...main }],
              serverSpans: [
                { path: '/', isMainThread: true },
                { path: '/metrics', isMainThread: true },
              ],
              inOtherThreads: 0,
            },
            "the preload ran once and its SDK only in the main thread: one bind of the app's PrometheusExporter, " +
              "and the app's own requests as the only SERVER spans (no probe made one)",
          );

          assert.equal(metrics.status, 200);
          const families = helpCounts(metrics.body);
          const twice = [...families].filter(([, count]) => count > 1).map(([name]) => name);
          assert.deepEqual(twice, [], `families served twice: ${twice.join(', ')}; the page:\n${metrics.body}`);
          const promtool = spawnSync('promtool', ['check', 'metrics'], { input: metrics.body, encoding: 'utf8' });
          assert.equal(promtool.error, undefined, 'promtool runs (Debian package "prometheus"; .ci/run installs it)');
          const findings = `${promtool.stdout}${promtool.stderr}`;
          assert.equal(findings, '', `promtool check metrics found:\n${findings}\nthe page:\n${metrics.body}`);
          assert.equal(promtool.status, 0);
          assert.match(metrics.body, /^consumer_tasks_completed_total(\{[^}]*\})? 3$/m, "the app's own counter");
          assert.match(metrics.body, /^hatchet_worker_listener_health_otel_import 1$/m);

          // The runtime families of auto-instrumentations-node, as the app's own exporter serves them, are all on /metrics.
          const runtime = [...helpCounts(own.body).keys()].filter((name) => /^(nodejs_eventloop|v8js)_/.test(name));
          assert.ok(runtime.length >= 5, `the app measures the runtime itself (its runtime families: ${runtime.join(', ')})`);
          assert.deepEqual(
            runtime.filter((name) => !families.has(name)),
            [],
            "every runtime family of the app's is served",
          );
          t.diagnostic(`${families.size} families, ${runtime.length} of them the app's runtime ones`);

          const targets = metrics.body.split('\n').filter((text) => text.startsWith('target_info'));
          assert.equal(targets.length, 1, `one target_info:\n${targets.join('\n')}`);
          const labels = Object.fromEntries([...targets[0].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, name, value]) => [name, value]));
          assert.deepEqual(
            {
              service_name: labels.service_name,
              deployment_environment: labels.deployment_environment,
              service_version: labels.service_version,
            },
            { service_name: 'otel-import-consumer', deployment_environment: 'ci', service_version: '1.2.3' },
            targets[0],
          );

          await assertStopsByItself(app, { what: 'sdk.shutdown()', quiet: true });
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
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((text) => JSON.parse(text));
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

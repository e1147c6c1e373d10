import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { HEALTHCHECK_DEFAULTS, HEALTHCHECK_ENV } from '@worker-health/core';
import { hasPrometheusTools } from '@worker-health/testing';

const examples = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

function promtool(args: string[], cwd: string) {
  return spawnSync('promtool', args, { cwd, encoding: 'utf8' });
}

describe('examples/prometheus', () => {
  it('prometheus.yml is the seed page scrape config', () => {
    const config = parse(readFileSync(examples('prometheus/prometheus.yml'), 'utf8'));
    assert.deepEqual(config.scrape_configs, [
      { job_name: 'hatchet', scrape_interval: '5s', static_configs: [{ targets: [`localhost:${HEALTHCHECK_DEFAULTS.port}`] }] },
    ]);
  });

  it('prometheus.yml is a valid config for promtool', (t) => {
    if (!hasPrometheusTools(t)) return;
    const result = promtool(['check', 'config', 'prometheus.yml'], examples('prometheus'));
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  for (const [rules, tests] of [
    ['alerts.yml', 'alerts.test.yml'],
    ['recording-rules.yml', 'recording-rules.test.yml'],
  ] as const) {
    it(`${rules} passes its promtool unit tests`, (t) => {
      if (!hasPrometheusTools(t)) return;
      const result = promtool(['test', 'rules', tests], examples('prometheus'));
      assert.equal(result.status, 0, result.stdout + result.stderr);
      assert.match(result.stdout + result.stderr, /SUCCESS/);
    });
  }

  it('prometheus.yml loads the alert and recording rules', () => {
    const config = parse(readFileSync(examples('prometheus/prometheus.yml'), 'utf8'));
    assert.deepEqual(config.rule_files, ['alerts.yml', 'recording-rules.yml']);
  });

  it('alerts.yml has the three rules a user deploys', () => {
    const rules = parse(readFileSync(examples('prometheus/alerts.yml'), 'utf8')).groups.flatMap((g: { rules: unknown[] }) => g.rules);
    assert.deepEqual(
      rules.map((r: { alert: string }) => r.alert),
      ['HatchetWorkerUnhealthy', 'HatchetWorkerEventLoopBlocked', 'HatchetWorkerTargetDown'],
    );
  });

  it('recording-rules.yml records the fleet series the dashboard note and the tests name', () => {
    const rules = parse(readFileSync(examples('prometheus/recording-rules.yml'), 'utf8')).groups.flatMap(
      (g: { rules: unknown[] }) => g.rules,
    );
    assert.deepEqual(
      rules.map((r: { record: string }) => r.record),
      [
        'worker:hatchet_worker_listener_health:label_replace',
        'worker:hatchet_worker_event_loop_lag_seconds:label_replace',
        'job:hatchet_worker_listener_health:count',
        'job:hatchet_worker_healthy:count',
        'job:hatchet_worker_unhealthy:count',
        'job:hatchet_worker_event_loop_lag_seconds:max',
      ],
    );
  });
});

describe('examples/kubernetes', () => {
  const [deployment] = parseAllDocuments(readFileSync(examples('kubernetes/deployment.yaml'), 'utf8')).map((d) => d.toJS());
  const pod = deployment.spec.template;
  const container = pod.spec.containers[0];
  const namedPort = (name: string) => container.ports.find((p: { name: string }) => p.name === name)?.containerPort;

  it('is a Deployment whose selector matches its pods', () => {
    assert.equal(deployment.kind, 'Deployment');
    assert.deepEqual(deployment.spec.selector.matchLabels, pod.metadata.labels);
  });

  it('wires liveness to /livez and readiness to /readyz on the healthcheck port', () => {
    assert.equal(namedPort('health'), HEALTHCHECK_DEFAULTS.port);
    assert.deepEqual(container.livenessProbe.httpGet, { path: '/livez', port: 'health' });
    assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'health' });
    assert.deepEqual(container.startupProbe.httpGet, { path: '/livez', port: 'health' });
  });

  it('turns the healthcheck on with the contract variables, bound for the pod network, on the probed port', () => {
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    assert.equal(env[HEALTHCHECK_ENV.enabled], 'true');
    assert.equal(Number(env[HEALTHCHECK_ENV.port]), namedPort('health'));
    assert.equal(env[HEALTHCHECK_ENV.bindAddress], '0.0.0.0');
    assert.ok(Number(env[HEALTHCHECK_ENV.eventLoopBlockThresholdSeconds]) > 0);
  });

  it('is scraped on /metrics at the healthcheck port, by annotation and by PodMonitor', () => {
    assert.equal(pod.metadata.annotations['prometheus.io/port'], String(HEALTHCHECK_DEFAULTS.port));
    assert.equal(pod.metadata.annotations['prometheus.io/path'], '/metrics');
    const monitor = parse(readFileSync(examples('kubernetes/podmonitor.yaml'), 'utf8'));
    assert.equal(monitor.kind, 'PodMonitor');
    assert.deepEqual(monitor.spec.selector.matchLabels, pod.metadata.labels);
    assert.deepEqual(
      monitor.spec.podMetricsEndpoints.map((e: { port: string; path: string }) => [e.port, e.path]),
      [['health', '/metrics']],
    );
  });
});

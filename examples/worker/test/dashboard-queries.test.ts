// Every query of the Grafana dashboards, run against a real Prometheus that scrapes a small fleet
// of example workers (one of them blocked past its threshold) and the Hatchet example worker (its
// fake engine made to refuse heartbeats and break the listen stream): each returns data for exactly
// the workers it should, and shows what the panel is there to show, at the moment it shows it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { get, hasPrometheusTools, until } from '@worker-health/testing';
import { queryPanels, type DashboardJson, type DashboardTarget } from './dashboard-lint.js';
import { healthIs, Processes } from './helpers.js';
import { PrometheusServer, type Series } from './prometheus-server.js';

const examples = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const dashboard = (file: string) => JSON.parse(readFileSync(examples(`grafana/${file}`), 'utf8')) as DashboardJson;

const LABEL_WORKERS = ['fleet-a', 'fleet-b', 'fleet-c'];
const SUFFIX_WORKER = 'fleet_d';
/** examples/hatchet-worker in the label form, against its fake engine. */
const HATCHET_WORKER = 'fleet-hatchet';
const HATCHET_SLOTS = 5;
const BLOCKED = 'fleet-b';
const BLOCK_SECONDS = 8;
/** The Hatchet worker's `sleep` task: a slot in use while the event loop stays free. */
const SLEEP_SECONDS = 3;
/** Heartbeats the fake engine refuses; the first of a code only starts its series (see "Heartbeat failures"). */
const REFUSED_HEARTBEATS = 2;
const THRESHOLD_SECONDS = 1;
const SCRAPE_SECONDS = 1;
// Grafana's $__rate_interval: max($__interval + scrape interval, 4 × scrape interval).
const RATE_INTERVAL = `${4 * SCRAPE_SECONDS}s`;
const RANGE_SECONDS = 20;

/**
 * When a panel is asked (a range query over the RANGE_SECONDS before it): `during` the block of
 * BLOCKED, after the Hatchet worker's sleep task ended; `after` the block ended and the Hatchet
 * worker recovered from the refused heartbeats and the broken stream.
 */
type Moment = 'during' | 'after';
/** Whose series a panel shows: every worker of its dashboard, the blocked worker, the Hatchet worker, or one series without `worker`. */
type Shown = 'fleet' | 'blocked' | 'hatchet' | 'one series';

interface PanelProof {
  at: Moment;
  shown: Shown;
  /** What the panel shows then, as the test's name says it. */
  shows: string;
  /** Judges the answer; `fleet` is the workers of the dashboard. */
  check: (result: Series[], fleet: readonly string[]) => void;
}

const values = (series: Series) => series.values.map(([, v]) => v);
const last = (series: Series) => series.values.at(-1)![1];
const max = (series: Series) => Math.max(...values(series));
const min = (series: Series) => Math.min(...values(series));
/** The one series of `worker` (with `labels`) in an answer. */
function of(result: Series[], worker: string, labels: Record<string, string> = {}): Series {
  const found = result.filter((s) => s.metric.worker === worker && Object.entries(labels).every(([k, v]) => s.metric[k] === v));
  assert.equal(found.length, 1, `one series of ${worker} ${JSON.stringify(labels)} in ${JSON.stringify(result.map((s) => s.metric))}`);
  return found[0]!;
}
const others = (fleet: readonly string[]) => fleet.filter((w) => w !== BLOCKED);
const count = (expected: (fleet: readonly string[]) => number) => (result: Series[], fleet: readonly string[]) => {
  assert.equal(result.length, 1);
  assert.equal(last(result[0]!), expected(fleet));
};
const everyValue = (test: (v: number) => boolean, what: string) => (result: Series[]) => {
  for (const s of result) assert.ok(values(s).every(test), `${s.metric.worker}: ${what}: ${values(s).join(' ')}`);
};
const rises =
  (labels: Record<string, string> = {}) =>
  (result: Series[]) =>
    assert.ok(max(of(result, HATCHET_WORKER, labels)) > 0, 'above 0 at some moment');
const blockDuration = (result: Series[]) => {
  const blocked = of(result, BLOCKED);
  // An 8 s block (and the heartbeat interval) falls in the bucket (5, 10]: the quantiles lie in it.
  assert.ok(
    values(blocked).every((v) => v > 5 && v <= 10),
    `${BLOCKED}: ${values(blocked).join(' ')}`,
  );
};

/** What each panel query shows, keyed `<title> <refId>`. Every query of the dashboards has one. */
const PROOFS: Record<string, PanelProof> = {
  'Workers by status A': {
    at: 'during',
    shown: 'one series',
    shows: `HEALTHY: every worker but ${BLOCKED}`,
    check: count((f) => f.length - 1),
  },
  'Workers by status B': { at: 'during', shown: 'one series', shows: 'STARTING: 0', check: count(() => 0) },
  'Workers by status C': { at: 'during', shown: 'one series', shows: `UNHEALTHY: 1 (${BLOCKED})`, check: count(() => 1) },
  'Workers by status D': { at: 'during', shown: 'one series', shows: 'targets down: 0', check: count(() => 0) },
  'Listener health A': {
    at: 'during',
    shown: 'fleet',
    shows: `${BLOCKED} 1 then 0, every other worker 1`,
    check: (result, fleet) => {
      const blocked = of(result, BLOCKED);
      assert.deepEqual([max(blocked), last(blocked)], [1, 0], `${BLOCKED}: healthy before the block, unhealthy in it`);
      for (const w of others(fleet)) assert.equal(last(of(result, w)), 1, `${w} is healthy`);
    },
  },
  'Event-loop lag A': {
    at: 'during',
    shown: 'fleet',
    shows: `${BLOCKED} past twice the threshold, every other worker under it`,
    check: (result, fleet) => {
      assert.ok(last(of(result, BLOCKED)) > 2 * THRESHOLD_SECONDS, `${BLOCKED} lags ${last(of(result, BLOCKED))} s`);
      for (const w of others(fleet)) assert.ok(last(of(result, w)) < THRESHOLD_SECONDS, `${w} lags ${last(of(result, w))} s`);
    },
  },
  'Age of the main-thread metrics A': {
    at: 'during',
    shown: 'fleet',
    shows: `${BLOCKED}'s figures the oldest`,
    check: (result, fleet) => {
      const blocked = last(of(result, BLOCKED));
      for (const w of others(fleet)) assert.ok(last(of(result, w)) < blocked, `${w}'s figures are fresher than ${BLOCKED}'s ${blocked} s`);
    },
  },
  'Blocks past the threshold A': {
    at: 'during',
    shown: 'fleet',
    shows: `${BLOCKED} above 0 from the block's start, every other worker 0`,
    check: (result, fleet) => {
      assert.ok(max(of(result, BLOCKED)) > 0, `${BLOCKED}: ${values(of(result, BLOCKED)).join(' ')}`);
      for (const w of others(fleet)) assert.equal(max(of(result, w)), 0, w);
    },
  },
  'Block durations A': {
    at: 'after',
    shown: 'blocked',
    shows: `${BLOCKED} only, in (5, 10] s, once its ${BLOCK_SECONDS} s block ended`,
    check: blockDuration,
  },
  'Block durations B': {
    at: 'after',
    shown: 'blocked',
    shows: `${BLOCKED} only, in (5, 10] s, once its ${BLOCK_SECONDS} s block ended`,
    check: blockDuration,
  },
  'Process CPU A': { at: 'during', shown: 'fleet', shows: 'every worker', check: everyValue((v) => v >= 0, 'a share of a core') },
  'Process memory (RSS) A': { at: 'during', shown: 'fleet', shows: 'every worker', check: everyValue((v) => v > 1e6, 'bytes') },
  'Heap used A': { at: 'during', shown: 'fleet', shows: 'every worker', check: everyValue((v) => v > 1e5, 'bytes') },
  'Event-loop delay p99 A': { at: 'during', shown: 'fleet', shows: 'every worker', check: everyValue((v) => v >= 0, 'seconds') },
  'Event-loop utilization A': {
    at: 'during',
    shown: 'fleet',
    shows: 'every worker',
    check: everyValue((v) => v >= 0 && v <= 1, 'a share'),
  },
  'Listener reason A': {
    at: 'after',
    shown: 'hatchet',
    shows: 'stream_down after the stream broke, healthy at the end',
    check: (result) => {
      assert.ok(max(of(result, HATCHET_WORKER, { reason: 'stream_down' })) === 1, 'stream_down at some moment');
      const latest = Math.max(...result.map((s) => s.values.at(-1)![0]));
      const now = result.filter((s) => s.values.at(-1)![0] === latest).map((s) => s.metric.reason);
      assert.deepEqual(now, ['healthy'], 'one reason at the end, healthy');
    },
  },
  'Slots A': {
    at: 'during',
    shown: 'hatchet',
    shows: 'default: 1 in use while the sleep task ran, 0 before',
    check: (result) => {
      const inUse = of(result, HATCHET_WORKER, { slot_type: 'default' });
      assert.deepEqual([min(inUse), max(inUse)], [0, 1]);
    },
  },
  'Slots B': {
    at: 'during',
    shown: 'hatchet',
    shows: `default: ${HATCHET_SLOTS - 1} free while the sleep task ran, ${HATCHET_SLOTS} before`,
    check: (result) => {
      const free = of(result, HATCHET_WORKER, { slot_type: 'default' });
      assert.deepEqual([min(free), max(free)], [HATCHET_SLOTS - 1, HATCHET_SLOTS]);
    },
  },
  'Task start delay A': {
    at: 'during',
    shown: 'hatchet',
    shows: 'under 1 s, where a task started in the interval',
    check: (result) => assert.ok(values(of(result, HATCHET_WORKER)).every((v) => v > 0 && v < 1)),
  },
  'Task start delay B': {
    at: 'during',
    shown: 'hatchet',
    shows: 'under 1 s, where a task started in the interval',
    check: (result) => assert.ok(values(of(result, HATCHET_WORKER)).every((v) => v > 0 && v < 1)),
  },
  'Tasks A': { at: 'during', shown: 'hatchet', shows: 'received: above 0 (the sleep task)', check: rises() },
  'Tasks B': { at: 'during', shown: 'hatchet', shows: 'started: above 0 (the sleep task)', check: rises() },
  'Tasks C': { at: 'during', shown: 'hatchet', shows: 'completed: above 0 (the sleep task)', check: rises() },
  'Tasks D': {
    at: 'during',
    shown: 'hatchet',
    shows: 'failed: 0, the series the adapter serves from the start (no task failed)',
    check: (result) => assert.equal(max(of(result, HATCHET_WORKER)), 0),
  },
  'Heartbeat failures A': {
    at: 'after',
    shown: 'hatchet',
    shows: `NOT_FOUND above 0: ${REFUSED_HEARTBEATS} heartbeats refused by the fake engine`,
    check: rises({ code: 'NOT_FOUND' }),
  },
  'Heartbeat failures B': { at: 'after', shown: 'hatchet', shows: 'succeeded: above 0', check: rises() },
  'Heartbeat age A': {
    at: 'after',
    shown: 'hatchet',
    shows: 'past 8 s while heartbeats were refused, lower again after',
    check: (result) => {
      const age = of(result, HATCHET_WORKER);
      assert.ok(max(age) > 8, `the gap of the refused beats: ${values(age).join(' ')}`);
      assert.ok(last(age) < max(age), 'answered again');
    },
  },
  'Listen stream A': { at: 'after', shown: 'hatchet', shows: 'connections: above 0 (the reconnect)', check: rises() },
  'Listen stream B': { at: 'after', shown: 'hatchet', shows: 'ends: above 0 (the broken stream)', check: rises() },
};

const PROMQL_WORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/** The metric names a PromQL expression reads (not its functions, keywords or label names). */
function familiesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names = [...bare.matchAll(/[A-Za-z_:][\w:]*/g)]
    .filter((m) => !/^\s*\(/.test(bare.slice(m.index + m[0].length)) && !PROMQL_WORDS.has(m[0]))
    .map((m) => m[0]);
  return [...new Set(names)];
}

/** The expression Grafana sends for `target` with the variables chosen. */
function substitute(expr: string, variables: Record<string, string>): string {
  return expr.replace(/\$(\w+)/g, (whole, name: string) => variables[name] ?? whole);
}

/** Labels a legend format shows, e.g. `{{worker}} {{slot_type}}` → worker, slot_type. */
const legendLabels = (target: DashboardTarget) => [...(target.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!);

/** Every query of a dashboard with its proof. */
function targetsOf(board: DashboardJson): Array<{ title: string; target: DashboardTarget; proof: PanelProof }> {
  return queryPanels(board).flatMap((panel) =>
    (panel.targets ?? []).map((target) => {
      const proof = PROOFS[`${panel.title} ${target.refId}`];
      assert.ok(proof, `no proof for "${panel.title}" ${target.refId} in PROOFS: say what it shows and when`);
      return { title: panel.title, target, proof };
    }),
  );
}

/** The value of `family{…code="NOT_FOUND"…}` on a worker's own /metrics page, 0 while it has none. */
async function notFoundFailures(port: number): Promise<number> {
  const page = (await get(port, '/metrics')).body;
  return Number(/^hatchet_worker_heartbeats_failed_total\{[^}]*code="NOT_FOUND"[^}]*\} (\S+)$/m.exec(page)?.[1] ?? 0);
}

describe('every panel query of examples/grafana, on a real Prometheus scraping a fleet of example workers', () => {
  const processes = new Processes();
  const dir = mkdtempSync(join(tmpdir(), 'worker-health-dashboard-'));
  after(async () => {
    await processes.killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the metric names of a query, not its functions, keywords or labels', () => {
    assert.deepEqual(
      familiesIn(
        'histogram_quantile(0.99, sum by (worker, le) (rate(a_bucket{x="y z"}[4s]) * on (job, instance) group_left (worker) group by (job, instance, worker) (b{worker=~"$worker"}))) or vector(0)',
      ),
      ['a_bucket', 'b'],
    );
    assert.deepEqual(familiesIn('count(up == 0 unless on (job) (c{reason="starting"} == 1)) or worker:d:label_replace'), [
      'up',
      'c',
      'worker:d:label_replace',
    ]);
  });

  it('has a proof for every query of both dashboards, and none for a query they do not have', () => {
    const asked = new Set<string>();
    for (const file of ['worker-health.json', 'worker-health-suffix.json']) {
      for (const { title, target } of targetsOf(dashboard(file))) asked.add(`${title} ${target.refId}`);
    }
    assert.deepEqual(
      Object.keys(PROOFS).filter((key) => !asked.has(key)),
      [],
    );
  });

  it('each query shows its workers at its moment: the blocked worker, the Hatchet worker', { timeout: 180_000 }, async (t) => {
    if (!hasPrometheusTools(t, 'prometheus')) return;
    const dispatcherPort = (await processes.dispatcher()).port;
    const plain = [...LABEL_WORKERS.map((name) => ({ name, form: 'label' })), { name: SUFFIX_WORKER, form: 'suffix' }];
    const ports: Record<string, number> = {};
    let tasksPort = 0;
    await Promise.all([
      ...plain.map(async ({ name, form }) => {
        ports[name] = (
          await processes.worker(dispatcherPort, undefined, { EXAMPLE_WORKER_NAME: name, EXAMPLE_METRIC_NAME_FORM: form })
        ).port;
      }),
      processes.hatchetWorker(undefined, 0, { EXAMPLE_WORKER_NAME: HATCHET_WORKER, EXAMPLE_METRIC_NAME_FORM: 'label' }).then((worker) => {
        ports[HATCHET_WORKER] = worker.port;
        tasksPort = worker.tasksPort;
      }),
    ]);
    const workers = [...plain.map((w) => w.name), HATCHET_WORKER];
    // The Hatchet worker is HEALTHY once its stream is open and a heartbeat was answered.
    await Promise.all(workers.map((name) => until(`${name} to be healthy`, healthIs(ports[name]!, 200), 20_000)));

    const prometheus = await PrometheusServer.start(
      processes,
      dir,
      [
        'global:',
        `  scrape_interval: ${SCRAPE_SECONDS}s`,
        `  scrape_timeout: ${SCRAPE_SECONDS}s`,
        `  evaluation_interval: ${SCRAPE_SECONDS}s`,
        'rule_files:',
        `  - ${JSON.stringify(examples('prometheus/recording-rules.yml'))}`,
        'scrape_configs:',
        '  - job_name: "hatchet"',
        '    static_configs:',
        `      - targets: ${JSON.stringify(workers.map((name) => `127.0.0.1:${ports[name]}`))}`,
        '',
      ].join('\n'),
    );
    const value = (expr: string) => prometheus.value(expr);
    const hatchet = (family: string, labels = '') => `${family}{worker="${HATCHET_WORKER}"${labels && `, ${labels}`}}`;
    // Enough scrapes of every worker for the rates over $__rate_interval.
    await until(
      'every worker scraped five times',
      async () => ((await value('min(count_over_time(up{job="hatchet"}[1m]))')) ?? 0) >= 5 || undefined,
      30_000,
    );
    assert.equal(await value('sum(up{job="hatchet"})'), workers.length, 'every worker is up');

    // A slot in use: the Hatchet worker's sleep task, seen running on its own page before the block.
    const sleep = await get(tasksPort, `/tasks?kind=sleep&seconds=${SLEEP_SECONDS}`, 'POST');
    assert.equal(sleep.status, 202, sleep.body);
    await until(
      'the sleep task to hold a slot',
      async () =>
        /^hatchet_worker_slots_in_use\{[^}]*slot_type="default"[^}]*\} 1$/m.test((await get(ports[HATCHET_WORKER]!, '/metrics')).body) ||
        undefined,
    );
    const submitted = await fetch(`http://127.0.0.1:${dispatcherPort}/tasks?kind=block&seconds=${BLOCK_SECONDS}&worker=${BLOCKED}`, {
      method: 'POST',
    });
    assert.equal(submitted.status, 202);
    // During the block: health 0 and a stall past twice the threshold, scraped and recorded; the sleep task over.
    await until(
      'Prometheus to see the block, and the sleep task end',
      async () =>
        (await value(`hatchet_worker_listener_health{worker="${BLOCKED}"}`)) === 0 &&
        (await value(`worker:hatchet_worker_listener_health:label_replace{worker="${BLOCKED}"}`)) === 0 &&
        ((await value(`hatchet_worker_event_loop_lag_seconds{worker="${BLOCKED}"}`)) ?? 0) > 2 * THRESHOLD_SECONDS &&
        ((await value(`worker:hatchet_worker_event_loop_lag_seconds:label_replace{worker="${BLOCKED}"}`)) ?? 0) > 2 * THRESHOLD_SECONDS &&
        (await value(`max_over_time(${hatchet('hatchet_worker_slots_in_use')}[1m])`)) === 1 &&
        (await value(hatchet('hatchet_worker_slots_in_use'))) === 0 &&
        (await value(hatchet('hatchet_worker_listener_health'))) === 1
          ? true
          : undefined,
      10_000,
    );
    // Every query of a moment is asked at that one time, so that nothing changes between them.
    const moments: Record<Moment, number> = { during: Date.now() / 1000, after: Number.NaN };

    // After: the fake engine refuses heartbeats (NOT_FOUND, each reported at once) and breaks the
    // listen stream; it answers again once the worker's own page counted the refusals. Meanwhile
    // the block ends, and its duration is observed.
    const control = async (path: string) => {
      const reply = await get(tasksPort, path, 'POST');
      assert.equal(reply.status, 200, `${path}: ${reply.body}`);
    };
    await control('/engine/heartbeats?answer=not-found');
    await control('/engine/break-streams');
    await until(
      `${REFUSED_HEARTBEATS} heartbeats refused`,
      async () => ((await notFoundFailures(ports[HATCHET_WORKER]!)) >= REFUSED_HEARTBEATS ? true : undefined),
      4_000 * (REFUSED_HEARTBEATS + 1),
    );
    await control('/engine/heartbeats?answer=ok');
    await until(
      'Prometheus to see the block end, and the Hatchet worker reconnected and answered',
      async () =>
        ((await value(`worker_health_event_loop_block_duration_seconds_count{worker="${BLOCKED}"}`)) ?? 0) >= 1 &&
        (await value(`hatchet_worker_listener_health{worker="${BLOCKED}"}`)) === 1 &&
        ((await value(hatchet('hatchet_worker_listen_stream_connections_total'))) ?? 0) >= 2 &&
        ((await value(hatchet('hatchet_worker_heartbeats_failed_total', 'code="NOT_FOUND"'))) ?? 0) >= REFUSED_HEARTBEATS &&
        (await value(hatchet('hatchet_worker_listener_reason', 'reason="healthy"'))) === 1 &&
        (await value(hatchet('hatchet_worker_listener_health'))) === 1
          ? true
          : undefined,
      20_000,
    );
    moments.after = Date.now() / 1000;

    const served = new Set(await prometheus.labelValues('__name__'));
    const everyWorker = { job: '.*', worker: '.*', __rate_interval: RATE_INTERVAL };
    const run = (target: DashboardTarget, at: Moment, variables: Record<string, string> = everyWorker) =>
      prometheus.queryRange(substitute(target.expr, variables), moments[at] - RANGE_SECONDS, moments[at], SCRAPE_SECONDS);

    for (const [file, fleet] of [
      ['worker-health.json', [...LABEL_WORKERS, HATCHET_WORKER]],
      ['worker-health-suffix.json', [...LABEL_WORKERS, SUFFIX_WORKER, HATCHET_WORKER]],
    ] as const) {
      const board = dashboard(file);
      const shownBy = (shown: Shown): readonly string[] =>
        shown === 'fleet' ? fleet : shown === 'blocked' ? [BLOCKED] : shown === 'hatchet' ? [HATCHET_WORKER] : [];

      await t.test(`${file}: the variables list the job and the workers`, async () => {
        for (const variable of board.templating.list.filter((v) => v.type === 'query')) {
          const query = typeof variable.query === 'object' ? variable.query.query : variable.query!;
          const [, match, label] = /^label_values\((.+), (\w+)\)$/.exec(query) ?? assert.fail(`${variable.name}: ${query}`);
          const found = await prometheus.labelValues(label!, substitute(match!, everyWorker));
          assert.deepEqual(found.sort(), variable.name === 'job' ? ['hatchet'] : [...fleet].sort(), variable.name);
        }
      });

      for (const { title, target, proof } of targetsOf(board)) {
        await t.test(`${file}: "${title}" ${target.refId} (${target.legendFormat}), ${proof.at}: ${proof.shows}`, async (st) => {
          const missing = familiesIn(target.expr).filter((f) => !served.has(f));
          assert.deepEqual(missing, [], 'families read by the query that no worker serves');
          const result = await run(target, proof.at); // valid PromQL, or the API answers an error
          assert.ok(result.length > 0, `no data for ${target.expr}`);
          for (const series of result) {
            assert.ok(series.values.length > 0, `a series without points: ${JSON.stringify(series.metric)}`);
            for (const label of legendLabels(target))
              assert.ok(series.metric[label], `legend label ${label} missing on ${JSON.stringify(series.metric)}`);
          }
          // What the panel showed, legend by legend: the value at the moment and the range over the window.
          const legend = (series: Series) =>
            (target.legendFormat ?? '').replace(/\{\{\s*(\w+)\s*\}\}/g, (_, l: string) => series.metric[l] ?? '');
          const round = (v: number) => Number(v.toPrecision(4));
          st.diagnostic(
            result
              .map((s) => `${legend(s)} = ${round(last(s))} (${round(min(s))} to ${round(max(s))} over ${s.values.length} points)`)
              .join(', '),
          );
          const workersShown = [...new Set(result.map((s) => s.metric.worker))];
          if (proof.shown === 'one series') assert.deepEqual(workersShown, [undefined], 'one series, no worker');
          else assert.deepEqual(workersShown.sort(), [...shownBy(proof.shown)].sort(), 'the workers shown');
          proof.check(result, fleet);
        });
      }

      await t.test(`${file}: "Block durations" shows nothing while the block lasts (a block is observed when it ends)`, async () => {
        const durations = targetsOf(board).filter(({ title }) => title === 'Block durations');
        assert.equal(durations.length, 2);
        for (const { target } of durations) assert.deepEqual(await run(target, 'during'), [], target.refId);
      });

      await t.test(`${file}: with one worker chosen, every per-worker panel shows that worker only`, async () => {
        for (const chosen of [BLOCKED, HATCHET_WORKER]) {
          for (const { title, target, proof } of targetsOf(board).filter((x) => legendLabels(x.target).includes('worker'))) {
            const result = await run(target, proof.at, { ...everyWorker, worker: chosen });
            const shown = [...new Set(result.map((s) => s.metric.worker))];
            assert.deepEqual(shown, shownBy(proof.shown).includes(chosen) ? [chosen] : [], `"${title}" ${target.refId}, ${chosen} chosen`);
          }
        }
      });
    }

    await t.test('the recording rules count the fleet of both forms by job', async () => {
      const recorded = async (name: string) => (await prometheus.query(`${name}{job="hatchet"}`, moments.during))[0]?.value;
      assert.equal(await recorded('job:hatchet_worker_listener_health:count'), workers.length);
      assert.equal(await recorded('job:hatchet_worker_unhealthy:count'), 1);
      assert.equal(await recorded('job:hatchet_worker_healthy:count'), workers.length - 1);
      const maxLag = await recorded('job:hatchet_worker_event_loop_lag_seconds:max');
      assert.ok(maxLag! > 2 * THRESHOLD_SECONDS, `the longest stall recorded: ${maxLag} s`);
    });
  });
});

// CI smoke of the benchmark: `run.mjs --quick` runs every section once, briefly, and writes well-formed
// results and a report made from them alone. No figure's value is checked here: timing belongs to the
// full `pnpm bench`, on a quiet machine, where bars.mjs judges it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CHART_TARGETS, chartSpec, renderChart } from './chart.mjs';
import { hasPrometheusTools } from '@worker-health/testing';
import { COST_ROWS } from './cost.mjs';
import { THROUGHPUT_ROWS } from './throughput.mjs';
import { fleetMarkdown } from './fleet-report.mjs';
import { COST_LABELS } from './report.mjs';

const RUN = new URL('./run.mjs', import.meta.url).pathname;
const REPORT = new URL('./report.mjs', import.meta.url).pathname;
const node = (args, env = {}) => spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 590_000 });

const finite = (value, what) => assert.ok(Number.isFinite(value), `${what}: ${value}`);
const count = (value, what) => assert.ok(Number.isInteger(value) && value >= 0, `${what}: ${value}`);

describe('pnpm bench --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  let run;
  let r;
  before(
    () => {
      run = node([RUN, '--quick', '--out', out]);
      if (run.status === 0) r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    },
    { timeout: 600_000 },
  );
  after(() => rmSync(out, { recursive: true, force: true }));

  it('runs to the end and writes results.json', () => {
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.equal(r.quick, true);
    assert.equal(r.partial, false);
    for (const key of ['node', 'os', 'cpu', 'cores', 'memoryGiB', 'loadAverageAtStart', 'loadAverageAtEnd'])
      assert.ok(key in r.machine, `machine.${key}`);
  });

  it('has every figure of the stall and detection sections', () => {
    for (const mode of ['package', 'prom-client']) {
      for (const key of ['p50Ms', 'p99Ms', 'maxMs', 'idleP50Ms', 'idleP99Ms']) finite(r.stall[mode][key], `stall ${mode} ${key}`);
      count(r.stall[mode].errors, `stall ${mode} errors`);
    }
    finite(r.detection.package.detectMinusThresholdMs, 'detection');
    finite(r.detection.package.recoverMs, 'recovery');
    // A main-thread server may never answer 503: its figures are numbers or null.
    for (const key of ['detectMinusThresholdMs', 'recoverMs']) {
      const value = r.detection['bare-otel'][key];
      assert.ok(value === null || Number.isFinite(value), `bare-otel ${key}: ${value}`);
    }
  });

  it('has every row of the cost table, with one figure per round', () => {
    assert.deepEqual(
      Object.keys(r.cost).filter((key) => COST_ROWS.some((row) => row.key === key)),
      COST_ROWS.map((row) => row.key),
    );
    for (const { key } of COST_ROWS) {
      const row = r.cost[key];
      for (const figure of ['throughputRatio', 'rssOverNothingMiB', 'heapOverNothingMiB']) {
        for (const stat of ['median', 'min', 'max']) finite(row[figure][stat], `cost ${key} ${figure} ${stat}`);
        assert.equal(row[figure].rounds.length, r.params.costRounds, `cost ${key} ${figure}: one figure per round`);
      }
      for (const figure of ['itemsPerSecond', 'rssMiB', 'heapMiB', 'eventLoopDelayP99Ms']) finite(row[figure], `cost ${key} ${figure}`);
      assert.ok(row.requests > 0, `cost ${key}: the client sent requests`);
      count(row.failedRequests, `cost ${key} failed requests`);
    }
  });

  it('has every row of the side-by-side throughput on both workloads, each process having worked its windows', () => {
    for (const section of ['throughput', 'throughputAllocating']) {
      const t = r[section];
      assert.deepEqual(
        t.rows,
        THROUGHPUT_ROWS.map((row) => row.key),
        section,
      );
      for (const { key } of THROUGHPUT_ROWS) {
        for (const stat of ['median', 'min', 'max']) finite(t[key].ratio[stat], `${section} ${key} ${stat}`);
        assert.equal(t[key].ratio.rounds.length, r.params.throughputRounds, `${section} ${key}: one figure per round`);
        // Each row runs in every process once: a phase per row, a window per cycle.
        assert.equal(
          t[key].windows,
          r.params.throughputRounds * THROUGHPUT_ROWS.length * r.params.throughputCycles,
          `${section} ${key} windows`,
        );
        assert.ok(t[key].requests > 0, `${section} ${key}: the client sent requests`);
        count(t[key].failedRequests, `${section} ${key} failed requests`);
      }
      assert.equal(t.nothing.ratio.median, 1, `${section}: nothing is the reference`);
      finite(t.nothing.itemsPerSecond, `${section} tasks/s`);
      finite(t.defaultsMinusFloor.median, `${section} defaults − floor`);
    }
  });

  it('has every figure of the scrape, memory and scale sections', () => {
    for (const mode of ['package', 'package-lean', 'bare-otel', 'prom-client']) {
      const s = r.scrapeCost[mode];
      assert.ok(s.bytes > 0, `${mode}: /metrics answered`);
      finite(s.sequential.p99Ms, `${mode} sequential p99`);
      finite(s.mainThreadMsPerScrape, `${mode} main-thread time per scrape`);
      for (const c of ['c1', 'c16']) {
        finite(s[c].rps, `${mode} ${c} rps`);
        count(s[c].errors, `${mode} ${c} errors`);
      }
    }
    for (const key of [
      'rssOverheadMB',
      'rssOverheadOverOtelMB',
      'rssOverConventionalMB',
      'leanRssOverheadMB',
      'rssGrowthMB',
      'leanRssGrowthMB',
      'conventionalRssGrowthMB',
      'mainGrowthMB',
      'threadGrowthMB',
      'mainHeapGrowthMB',
      'threadHeapGrowthMB',
      'mainExternalGrowthMB',
      'threadExternalGrowthMB',
    ]) {
      finite(r.memory[key], `memory ${key}`);
    }
    count(r.memory.errors, 'memory errors');
    for (const [key, readings] of Object.entries(r.memory.growthReadings)) {
      assert.equal(readings.length, r.params.memGrowthPhases + 1, `${key}: a reading after phase A and after each phase B`);
      for (const mb of readings) assert.ok(mb > 0, `${key}: ${mb} MB is a size`);
    }
    assert.deepEqual(
      Object.keys(r.memory.growthReadings).sort(),
      ['conventionalRss', 'leanRss', 'mainExternal', 'mainHeap', 'onRss', 'threadExternal', 'threadHeap'],
      'the readings of every growth figure',
    );
    // The thread's figures are its own, not the main thread's again.
    assert.notDeepEqual(r.memory.growthReadings.threadHeap, r.memory.growthReadings.mainHeap);
    for (const mode of ['package', 'bare-otel']) {
      for (const series of r.params.scale) {
        finite(r.scale[mode][series].medianMs, `scale ${mode} ${series}`);
        finite(r.scale[mode][series].mainThreadMsPerScrape, `scale ${mode} ${series} main thread`);
      }
    }
    const m = r.metricsLoad;
    assert.equal(m.goalRepeats.length, r.params.loadGoalRuns - 1, "the goal's case runs again");
    for (const p of [...m.probes, ...m.goalRepeats]) {
      for (const phase of ['idle', 'burst', 'floorIdle', 'floorBurst'])
        finite(p[phase].p99Ms, `probes ${p.series} × ${p.scrapers} ${phase} p99`);
      assert.ok(p.scrapes > 0, `probes ${p.series} × ${p.scrapers}: scraped`);
    }
    const [fewest, most] = [r.params.scale[0], r.params.scale.at(-1)];
    assert.ok(r.scale.package[most].bytes > r.scale.package[fewest].bytes, 'the application series are served');
  });

  it('writes BENCHMARKS.md with every section and a verdict on each goal', () => {
    const md = readFileSync(join(out, 'BENCHMARKS.md'), 'utf8');
    assert.match(md, /Quick smoke run/);
    assert.match(md, new RegExp(`Node ${process.version.replace(/\./g, '\\.')}`));
    for (const heading of [
      '## Cost on a CPU-bound worker',
      '### Throughput side by side',
      '## /health while /metrics works',
      '## Stall reports',
      '## Other sections',
      '## How each figure is measured',
      '## Notes',
    ])
      assert.ok(md.includes(heading), heading);
    for (const key of ['nothing', 'peer', 'floor', 'defaults', 'lean'])
      assert.ok(md.includes(`| ${COST_LABELS[key]} |`), `cost row ${key}`);
    const judged = md.match(/^- .*: \*\*(met|not met)\*\*$/gm) ?? [];
    assert.equal(
      judged.filter((line) => /^- (sorting|allocating): /.test(line)).length,
      4 + 3,
      'the cost goals, each judged: four on the sorting workload, three on the allocating one',
    );
    assert.equal(judged.length, 4 + 3 + 4, 'and the four of /health while /metrics works');
    assert.doesNotMatch(md, /NaN|undefined|\[object/);
    assert.match(run.stdout, /throughput with defaults ≥ the peer's: .*: (met|not met)/);
    // The floor goals are judged side by side when that section ran.
    assert.equal((md.match(/^- (sorting|allocating): throughput with defaults ≥ the floor's − 0\.01: side by side, /gm) ?? []).length, 2);
  });

  it('draws the chart of the stall section, one mark per probe of its timeline', () => {
    const svg = readFileSync(join(out, 'health-during-block.svg'), 'utf8');
    const probes = Object.keys(CHART_TARGETS).flatMap((mode) => r.stall[mode].timeline.probes);
    assert.ok(probes.length > 0, 'the stall section kept its probes');
    assert.deepEqual(drawnProbes(svg), probeCounts(probes));
  });

  it('renders BENCHMARKS.md from results.json alone', () => {
    const copy = mkdtempSync(join(tmpdir(), 'bench-render-'));
    try {
      cpSync(join(out, 'results.json'), join(copy, 'results.json'));
      assert.equal(node([REPORT, copy]).status, 0);
      assert.equal(
        readFileSync(join(copy, 'BENCHMARKS.md'), 'utf8'),
        readFileSync(join(out, 'BENCHMARKS.md'), 'utf8'),
        'the same results give the same report',
      );

      // Change figures in results.json: the report follows, verdicts included. The floor goal is
      // judged side by side, from the difference of each round...
      const changed = JSON.parse(readFileSync(join(copy, 'results.json'), 'utf8'));
      const render = () => {
        writeFileSync(join(copy, 'results.json'), JSON.stringify(changed));
        assert.equal(node([REPORT, copy]).status, 0);
        return readFileSync(join(copy, 'BENCHMARKS.md'), 'utf8');
      };
      changed.throughput.defaultsMinusFloor.median = -0.0099;
      assert.match(
        render(),
        /- sorting: throughput with defaults ≥ the floor's − 0\.01: side by side, .*: defaults − floor -0\.0099 .*: \*\*met\*\*$/m,
      );
      changed.throughput.defaultsMinusFloor.median = -0.0101;
      assert.match(
        render(),
        /- sorting: throughput with defaults ≥ the floor's − 0\.01: side by side, .*: defaults − floor -0\.0101 .*: \*\*not met\*\*$/m,
      );
      // The probe goal is judged on every run of its case, each against its own idle p99 and floor.
      const [series, scrapers] = changed.params.loadGoalCase;
      const goalRuns = [
        changed.metricsLoad.probes.find((p) => p.series === series && p.scrapers === scrapers),
        ...changed.metricsLoad.goalRepeats,
      ];
      for (const p of goalRuns)
        Object.assign(p, {
          probeErrors: 0,
          idle: { ...p.idle, p99Ms: 2 },
          floorIdle: { ...p.floorIdle, p99Ms: 1 },
          floorBurst: { ...p.floorBurst, p99Ms: 2 },
          burst: { ...p.burst, p99Ms: 4 },
        });
      assert.match(
        render(),
        /probe p99 ≤ 1\.5 × the idle p99 \+ one scheduling quantum .*: 4 ms vs 1\.5 × 2 \+ 1 = 4 ms; 4 ms vs .* \(met in 2 of 2\): \*\*met\*\*$/m,
      );
      goalRuns.at(-1).burst.p99Ms = 4.01;
      assert.match(render(), /probe p99 ≤ .*; 4\.01 ms vs 1\.5 × 2 \+ 1 = 4 ms \(met in 1 of 2\): \*\*not met\*\*$/m);
      // The growth bar holds each thread's heap and external memory after a GC, not RSS.
      Object.assign(changed.memory, { mainGrowthMB: 1, threadGrowthMB: 1, rssGrowthMB: 9 });
      assert.match(
        render(),
        /\| growth of used V8 heap \+ external memory after a GC of both threads.* \| 1 \/ 1 MB \| ≤ 1 MB on each thread \| met \|$/m,
      );
      assert.match(render(), /RSS moved by \+9 MB/);
      changed.memory.threadGrowthMB = 1.1;
      assert.match(render(), /\| 1 \/ 1\.1 MB \| ≤ 1 MB on each thread \| \*\*not met\*\* \|$/m);
      assert.match(render(), /The growth bar holds each thread's heap and external memory together at 1 MB, .*: not met\./);
      Object.assign(changed.memory, { mainGrowthMB: 1.1, threadGrowthMB: 1 });
      assert.match(render(), /\| 1\.1 \/ 1 MB \| ≤ 1 MB on each thread \| \*\*not met\*\* \|$/m);
      // ...and from the cost table's medians where that section did not run.
      delete changed.throughput;
      delete changed.throughputAllocating;
      changed.cost.floor.throughputRatio.median = 0.987;
      changed.cost.peer.throughputRatio.median = 0.5;
      changed.cost.defaults.throughputRatio.median = 0.9771;
      assert.match(render(), /throughput with defaults ≥ the floor's − 0\.01: 0\.9771 vs 0\.977: \*\*met\*\*/);
      changed.cost.defaults.throughputRatio.median = 0.9769;
      assert.match(render(), /throughput with defaults ≥ the floor's − 0\.01: 0\.9769 vs 0\.977: \*\*not met\*\*/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

/** The probes drawn in a chart, by colour: 200 green, 503 red, no answer grey (the legend's own symbol left out). */
function drawnProbes(svg) {
  const count = (colour) => (svg.match(new RegExp(`<path [^>]*fill="${colour}"`, 'g'))?.length ?? 0) - 1;
  return { 200: count('#2a9d3f'), 503: count('#d62728'), 0: count('#777777') };
}
function probeCounts(probes) {
  const counts = { 200: 0, 503: 0, 0: 0 };
  for (const [, , status] of probes) counts[status]++;
  return counts;
}

describe('chart.mjs', () => {
  const tiny = {
    date: '2026-01-02T03:04:05.000Z',
    params: { stallThresholdSeconds: 1, stallProbeEveryMs: 20 },
    stall: {
      package: {
        timeline: {
          blockSeconds: 2,
          probes: [
            [-0.5, 1, 200],
            [0.5, 1.2, 200],
            [1.5, 1.1, 503],
            [1.7, 0.9, 503],
            [2.2, 1, 200],
          ],
        },
      },
      'prom-client': {
        timeline: {
          blockSeconds: 2,
          probes: [
            [-0.5, 1, 200],
            [0.5, 1500, 200],
            [1.2, 30_000, 0],
            [2.1, 1, 200],
          ],
        },
      },
    },
  };

  it('draws every probe of each target in the colour of its status, with the block and the threshold marked', async () => {
    const svg = await renderChart(tiny);
    assert.match(svg, /^<svg [^>]*viewBox=/);
    assert.deepEqual(drawnProbes(svg), { 200: 6, 503: 2, 0: 1 });
    for (const text of [...Object.values(CHART_TARGETS), 'block begins', 'threshold 1 s', 'block ends', 'seconds since the block began'])
      assert.ok(svg.includes(`>${text}`), text);
    assert.equal(await renderChart(tiny), svg, 'the same results draw the same chart');
  });

  it('refuses results without the stall timeline, naming what is missing', () => {
    const { 'prom-client': _, ...onlyPackage } = tiny.stall;
    assert.throws(
      () => chartSpec({ ...tiny, stall: onlyPackage }),
      /no stall timeline for prom-client: expected stall\.<target>\.timeline\.probes/,
    );
  });
});

describe('fleet.mjs --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'fleet-smoke-'));
  after(() => rmSync(out, { recursive: true, force: true }));

  it('blocks one worker of a small fleet scraped by a real Prometheus, and reports the alert for it alone', { timeout: 120_000 }, (t) => {
    if (!hasPrometheusTools(t, 'prometheus')) return;
    const fleet = node([new URL('./fleet.mjs', import.meta.url).pathname, '--quick', '--out', out]);
    assert.equal(fleet.status, 0, `${fleet.stdout}\n${fleet.stderr}`);
    const f = JSON.parse(readFileSync(join(out, 'fleet-results.json'), 'utf8'));
    assert.equal(f.quick, true);
    assert.equal(f.params.serviceDiscovery, 'file_sd_configs');
    assert.ok(f.params.workers <= 5, `a quick fleet is small: ${f.params.workers}`);
    assert.equal(f.workers.length, f.params.workers);
    assert.deepEqual(
      f.workers.filter((w) => w.blocked).map((w) => w.name),
      [f.blocked.name],
    );
    // Order, not speed: an alert cannot fire before the threshold and its `for` have passed.
    const u = f.unhealthy;
    assert.ok(u.pendingAfterSeconds >= f.params.thresholdSeconds, `pending after ${u.pendingAfterSeconds} s`);
    assert.ok(u.firedAfterSeconds >= f.params.thresholdSeconds + u.forSeconds, `fired after ${u.firedAfterSeconds} s`);
    assert.ok(u.firedAfterSeconds < f.blocked.blockSeconds, 'fired while the block lasted');
    finite(u.resolvedAfterBlockEndSeconds, 'resolved after the block');
    assert.deepEqual(f.otherWorkersAlerted, [], 'no other worker alerted');
    for (const w of f.workers) {
      assert.ok(w.scrapeAvgMs > 0 && w.scrapeMaxMs >= w.scrapeAvgMs, `${w.name} scrape durations`);
      assert.ok(w.samplesPerScrape > 0, `${w.name} series`);
      count(w.failedScrapes, `${w.name} failed scrapes`);
      for (const key of ['processShare', 'mainShare', 'offMainShare']) finite(w.cpu[key], `${w.name} ${key}`);
    }
    for (const key of ['totalShare', 'totalOffMainShare', 'controlOffMainShare', 'mainThreadsTotalShare'])
      finite(f.healthThreadsCpu[key], key);
    assert.ok(f.prometheus.headSeries > 0, 'Prometheus holds series');
    const md = fleetMarkdown(f);
    assert.match(md, /^## A fleet on one machine/);
    assert.match(md, /Quick run/);
    for (const w of f.workers) assert.ok(md.includes(`| ${w.blocked ? `**${w.name}** (blocked)` : w.name} |`), w.name);
    assert.doesNotMatch(md, /NaN|undefined|\[object/);
  });
});

describe('run.mjs', () => {
  it('rejects an unknown BENCH_ONLY section, naming it and the accepted ones', () => {
    const run = node([RUN, '--quick'], { BENCH_ONLY: 'stall,nope' });
    assert.notEqual(run.status, 0);
    assert.match(
      run.stderr,
      /BENCH_ONLY: unknown section nope; accepted: stall, detection, cost, costAllocating, throughput, throughputAllocating, memoryBreakdown, scrapeCost, memory, scale, metricsLoad, stallReports/,
    );
  });
});

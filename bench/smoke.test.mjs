// CI smoke of the benchmark: one short iteration of each measurement, so the
// bench keeps working. It checks that every figure is produced, not its value
// (timing bars belong to the full `pnpm bench`, on a quiet machine).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

describe('pnpm bench --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  after(() => rmSync(out, { recursive: true, force: true }));

  it('produces every figure, a table and BENCHMARKS.md', { timeout: 240_000 }, () => {
    const run = spawnSync(process.execPath, [new URL('./run.mjs', import.meta.url).pathname, '--quick', '--out', out], {
      encoding: 'utf8',
      timeout: 230_000,
    });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const finite = (value, what) => assert.ok(Number.isFinite(value), `${what}: ${value}`);

    assert.equal(r.quick, true);
    for (const mode of ['package', 'prom-client']) finite(r.stall[mode].p99Ms, `stall ${mode} p99`);
    assert.equal(r.stall.package.errors, 0, 'no /health probe failed during the block');
    assert.ok(r.stall.package.probes > 10, 'probes were answered during the block');
    assert.ok(r.stall['prom-client'].maxMs > r.stall.package.maxMs, 'the main-thread server waited for the block');

    assert.equal(r.detection.package.runsWith503, r.detection.package.runs, 'every block was reported as 503');
    finite(r.detection.package.detectMinusThresholdMs, 'detection');
    finite(r.detection.package.recoverMs, 'recovery');
    assert.equal(r.detection['bare-otel'].runsWith503WhileBlocked, 0, 'a main-thread server cannot answer 503 while its own loop is blocked');

    finite(r.overhead.js.throughputRatio, "throughput ratio"); finite(r.overhead.crypto.throughputRatio, "throughput ratio, crypto");
    finite(r.overhead.js.on.eventLoopDelayP99Ms, "event-loop delay p99");
    for (const mode of ['package', 'package-lean', 'bare-otel', 'prom-client']) {
      finite(r.scrapeCost[mode].sequential.p99Ms, `${mode} sequential p99`);
      finite(r.scrapeCost[mode].c16.rps, `${mode} c16 rps`);
      assert.equal(r.scrapeCost[mode].c16.errors, 0, `${mode}: no failed scrape`);
    }
    finite(r.memory.rssOverheadMB, 'RSS overhead');
    finite(r.memory.rssGrowthAfterPhaseAMB, 'RSS growth');
    finite(r.memory.rssOverConventionalMB, 'RSS against the main-thread server under the same traffic');
    assert.equal(r.memory.errors, 0, 'no failed request while measuring memory');
    for (const series of ['10', '1000']) finite(r.scale.package[series].medianMs, `scale ${series}`);
    assert.ok(r.scale.package['1000'].bytes > r.scale.package['10'].bytes, 'the series are served');

    const md = readFileSync(join(out, 'BENCHMARKS.md'), 'utf8');
    assert.match(md, /Quick smoke run/);
    assert.match(md, new RegExp(`Node ${process.version.replace(/\./g, '\\.')}`));
    assert.match(run.stdout, /worker throughput on \/ off, js work items/);
  });
});

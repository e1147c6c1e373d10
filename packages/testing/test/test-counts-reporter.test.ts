// scripts/test-counts-reporter.mjs counts as node:test does: run on a fixture with every outcome,
// its JSON line must say what node:test's own closing lines say, and a failing TODO test must not
// count as a failure, since it does not fail the run. Each failure is listed by file, name and the
// first line of its error, so .ci/run can print them in the last lines of its log.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPORTER = fileURLToPath(new URL('../../../scripts/test-counts-reporter.mjs', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/counted-tests.mjs', import.meta.url));

/** Runs the fixture under node --test with the spec reporter and this one; its exit code, spec output and counts line. */
function runFixture(env: NodeJS.ProcessEnv) {
  const dir = mkdtempSync(join(tmpdir(), 'worker-health-counts-'));
  try {
    const counts = join(dir, 'counts.jsonl');
    const run = spawnSync(
      process.execPath,
      [
        '--test',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        `--test-reporter=${REPORTER}`,
        '--test-reporter-destination=stdout',
        FIXTURE,
      ],
      // NODE_TEST_CONTEXT unset: the nested run uses its reporters instead of reporting to this one.
      { encoding: 'utf8', env: { ...process.env, ...env, NODE_TEST_CONTEXT: undefined, WORKER_HEALTH_TEST_COUNTS: counts } },
    );
    const lines = readFileSync(counts, 'utf8').split('\n').filter(Boolean);
    assert.equal(lines.length, 1, 'one line per run');
    const { package: _, node, failures, ...tally } = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(node, process.version);
    return { code: run.status, spec: run.stdout, tally, failures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** node:test's own closing count, e.g. `ℹ todo 3`. */
const closing = (spec: string, name: string) => Number(new RegExp(`^ℹ ${name} (\\d+)$`, 'm').exec(spec)?.[1]);

describe('scripts/test-counts-reporter.mjs', () => {
  it('counts a failing TODO test as todo, not failed, as node:test does: the run passes', () => {
    const { code, spec, tally, failures } = runFixture({ COUNTED_FAIL: '0' });
    assert.equal(code, 0, spec);
    assert.deepEqual(tally, { passed: 2, failed: 0, skipped: 1, todo: 3 });
    assert.deepEqual(failures, []);
    assert.deepEqual(
      [closing(spec, 'pass'), closing(spec, 'fail'), closing(spec, 'skipped'), closing(spec, 'todo')],
      [tally.passed, tally.failed, tally.skipped, tally.todo],
      "node:test's closing lines",
    );
  });

  it('counts a failing plain test as failed: the run fails', () => {
    const { code, spec, tally, failures } = runFixture({ COUNTED_FAIL: '1' });
    assert.equal(code, 1, spec);
    assert.deepEqual(tally, { passed: 2, failed: 1, skipped: 1, todo: 3 });
    assert.equal(closing(spec, 'fail'), 1);
    assert.deepEqual(failures, [{ file: relative(process.cwd(), FIXTURE), test: 'fails', error: 'a real failure' }]);
  });

  it("lists an assertion's own message with what it compared", () => {
    const { code, spec, failures } = runFixture({ COUNTED_FAIL: 'assert' });
    assert.equal(code, 1, spec);
    assert.deepEqual(failures, [
      {
        file: relative(process.cwd(), FIXTURE),
        test: 'fails an assertion with its own message',
        error: 'Expected values to be strictly deep-equal: actual [2,1], expected [1,2]',
      },
    ]);
  });

  it('lists nothing for a TODO suite whose hook fails, as the run passes', () => {
    const { code, spec, failures } = runFixture({ COUNTED_FAIL: 'todo-hook' });
    assert.equal(code, 0, spec);
    assert.deepEqual(failures, []);
  });

  it("lists a suite whose own hook fails, though it counts only the suite's tests", () => {
    const { code, spec, tally, failures } = runFixture({ COUNTED_FAIL: 'hook' });
    assert.equal(code, 1, spec);
    assert.deepEqual(tally, { passed: 3, failed: 0, skipped: 1, todo: 3 });
    assert.deepEqual(failures, [
      { file: relative(process.cwd(), FIXTURE), test: 'a suite whose after hook fails', error: 'a hook failure' },
    ]);
  });
});

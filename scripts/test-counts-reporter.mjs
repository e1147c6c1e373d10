// A node:test reporter that counts tests from the runner's own events and, when
// WORKER_HEALTH_TEST_COUNTS names a file, appends one JSON line to it:
// {"package":…,"node":…,"passed":N,"failed":N,"skipped":N,"todo":N}. .ci/run sums
// these lines for its closing count, so no log line shape is parsed. It prints nothing.
// The counts are node:test's own (its closing "# pass", "# fail", "# skipped", "# todo"):
// a TODO test is counted as todo whether it passed or failed, since node:test does not
// fail a run for a failing TODO test; a cancelled test counts as failed, as it fails the run.
import { appendFileSync } from 'node:fs';
import { basename } from 'node:path';

export default async function* testCounts(source) {
  const counts = { package: basename(process.cwd()), node: process.version, passed: 0, failed: 0, skipped: 0, todo: 0 };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.details?.type === 'suite') continue; // a suite's tests are counted themselves
    if (event.data.todo !== undefined) counts.todo++;
    else if (event.data.skip !== undefined) counts.skipped++;
    else if (event.type === 'test:fail') counts.failed++;
    else counts.passed++;
  }
  if (process.env.WORKER_HEALTH_TEST_COUNTS) appendFileSync(process.env.WORKER_HEALTH_TEST_COUNTS, `${JSON.stringify(counts)}\n`);
  yield '';
}

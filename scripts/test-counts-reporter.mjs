// A node:test reporter that counts tests from the runner's own events and, when
// WORKER_HEALTH_TEST_COUNTS names a file, appends one JSON line to it:
// {"package":…,"passed":N,"failed":N,"skipped":N}. .ci/run sums these lines
// for its closing count, so no log line shape is parsed. It prints nothing.
import { appendFileSync } from 'node:fs';
import { basename } from 'node:path';

export default async function* testCounts(source) {
  const counts = { package: basename(process.cwd()), node: process.version, passed: 0, failed: 0, skipped: 0 };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.details?.type === 'suite') continue; // a suite's tests are counted themselves
    if (event.type === 'test:fail') counts.failed++;
    else if (event.data.skip !== undefined || event.data.todo !== undefined) counts.skipped++;
    else counts.passed++;
  }
  if (process.env.WORKER_HEALTH_TEST_COUNTS) appendFileSync(process.env.WORKER_HEALTH_TEST_COUNTS, `${JSON.stringify(counts)}\n`);
  yield '';
}

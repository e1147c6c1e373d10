// A node:test reporter that counts tests from the runner's own events and, when
// WORKER_HEALTH_TEST_COUNTS names a file, appends one JSON line to it:
// {"package":…,"node":…,"passed":N,"failed":N,"skipped":N,"todo":N,"failures":[…]}. .ci/run sums
// these lines for its closing count and lists the failures beside it, so no log line shape is
// parsed and a failure shows in the last lines of a long log. It prints nothing.
// The counts are node:test's own (its closing "# pass", "# fail", "# skipped", "# todo"):
// a TODO test is counted as todo whether it passed or failed, since node:test does not
// fail a run for a failing TODO test; a cancelled test counts as failed, as it fails the run.
// A suite is not counted (its tests are), but a suite that fails by itself (a hook) is listed.
import { appendFileSync } from 'node:fs';
import { basename, relative } from 'node:path';

// Enough of an error to tell one failure from another, short enough for a closing list: its
// first line, and for an assertion's own message ("Expected values to be…") what was compared.
function firstLine(error) {
  const inner = error?.cause ?? error;
  let text =
    String(inner?.message ?? inner ?? '')
      .split('\n')
      .find((line) => line.trim() !== '') ?? '';
  if (inner?.generatedMessage === true && 'expected' in inner) text += ` actual ${shown(inner.actual)}, expected ${shown(inner.expected)}`;
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}

function shown(value) {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export default async function* testCounts(source) {
  const counts = { package: basename(process.cwd()), node: process.version, passed: 0, failed: 0, skipped: 0, todo: 0, failures: [] };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    const failure = () =>
      counts.failures.push({
        file: data.file ? relative(process.cwd(), data.file) : '',
        test: data.name,
        error: firstLine(data.details?.error),
      });
    if (data.details?.type === 'suite') {
      // A TODO or skipped suite does not fail the run, whatever its hooks do.
      if (
        event.type === 'test:fail' &&
        data.todo === undefined &&
        data.skip === undefined &&
        data.details.error?.failureType !== 'subtestsFailed'
      )
        failure();
      continue;
    }
    if (data.todo !== undefined) counts.todo++;
    else if (data.skip !== undefined) counts.skipped++;
    else if (event.type === 'test:fail') {
      counts.failed++;
      failure();
    } else counts.passed++;
  }
  if (process.env.WORKER_HEALTH_TEST_COUNTS) appendFileSync(process.env.WORKER_HEALTH_TEST_COUNTS, `${JSON.stringify(counts)}\n`);
  yield '';
}

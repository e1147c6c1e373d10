import { spawnSync } from 'node:child_process';

/**
 * Whether Debian's `prometheus` package (prometheus, promtool) is installed.
 * Without it the test is skipped with a reason on a developer's machine, and
 * fails where WORKER_HEALTH_REQUIRE_PROMETHEUS=1 (as .ci/run sets).
 */
export function hasPrometheusTools(t: { skip(message: string): void }, tool = 'promtool'): boolean {
  const found = spawnSync(tool, ['--version']).error === undefined;
  if (found) return true;
  const message = `${tool} is not installed (Debian package "prometheus"; .ci/run installs it)`;
  if (process.env.WORKER_HEALTH_REQUIRE_PROMETHEUS === '1') throw new Error(message);
  t.skip(message);
  return false;
}

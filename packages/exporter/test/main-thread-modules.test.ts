// What the healthcheck loads on the application's thread: nothing of OpenTelemetry when the application
// passes no metricReader (the SDK and the API cost a worker without a MeterProvider several MiB of RSS;
// the health thread runs its own bundled copy of what it needs).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

describe("the application's thread", () => {
  it('loads no @opentelemetry module for a healthcheck with its defaults', () => {
    const result = spawnSync(process.execPath, [new URL('./fixtures/modules-loaded.mjs', import.meta.url).pathname], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 0, result.stderr);
    const { esm, cjs } = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { esm: string[]; cjs: string[] };
    assert.ok(
      esm.some((url) => url.includes('/exporter/dist/index.js')),
      `the hook saw the package load: ${esm.length} modules`,
    );
    assert.ok(
      esm.some((url) => url.includes('/core/dist/')),
      'and core',
    );
    assert.deepEqual(
      [...esm, ...cjs].filter((url) => url.includes('@opentelemetry')),
      [],
      'no OpenTelemetry module on the main thread',
    );
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { describe, it } from 'node:test';

// The health thread is built into one file (scripts/bundle-thread.mjs) so that its
// isolate does not load ~200 modules of its own: nothing outside Node may be imported.
const thread = readFileSync(new URL('../dist/health-thread.js', import.meta.url), 'utf8');
const licenses = readFileSync(new URL('../dist/health-thread.licenses.txt', import.meta.url), 'utf8');

describe('the bundled health thread', () => {
  it('imports nothing but Node built-ins', () => {
    const specifiers = [...thread.matchAll(/(?:\bfrom|\bimport|\brequire|__require)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]!);
    assert.ok(specifiers.includes('node:worker_threads'), `the scan finds the thread's own imports (found: ${specifiers.join(', ')})`);
    const outside = specifiers.filter((specifier) => !isBuiltin(specifier));
    assert.deepEqual(outside, [], `health-thread.js imports ${outside.join(', ')}`);
  });

  it('ships the licenses of the packages it holds', () => {
    for (const name of [
      '@opentelemetry/sdk-metrics',
      '@opentelemetry/exporter-prometheus',
      '@opentelemetry/host-metrics',
      'systeminformation',
    ]) {
      assert.match(
        licenses,
        new RegExp(`^${name}@\\d+\\.\\d+\\.\\d+ \\((Apache-2\\.0|MIT)\\)$`, 'm'),
        `${name} is listed with its version and license`,
      );
    }
    assert.match(licenses, /Apache License\s+Version 2\.0/, 'the Apache-2.0 text itself is included');
  });
});

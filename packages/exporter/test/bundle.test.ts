import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { describe, it } from 'node:test';

// The health thread is built into one file (scripts/bundle-thread.mjs) so that its
// isolate does not load ~200 modules of its own: nothing outside Node may be imported.
const thread = readFileSync(new URL('../dist/health-thread.js', import.meta.url), 'utf8');
const licenses = readFileSync(new URL('../dist/health-thread.licenses.txt', import.meta.url), 'utf8');

describe('the bundled health thread', () => {
  // Every test that starts a healthcheck runs this bundle (the thread cannot load TypeScript): a stale one would test old code.
  it('is built from the current sources', () => {
    const built = statSync(new URL('../dist/health-thread.js', import.meta.url)).mtimeMs;
    const src = new URL('../src/', import.meta.url);
    const newer = (readdirSync(src, { recursive: true }) as string[]).filter(
      (file) => file.endsWith('.ts') && statSync(new URL(file, src)).mtimeMs > built,
    );
    assert.deepEqual(
      newer,
      [],
      'sources changed after the build: run `npx -y pnpm@12.4.2 turbo run test --filter=@worker-health/exporter`, which builds first',
    );
  });

  it('imports nothing but Node built-ins', () => {
    const specifiers = [...thread.matchAll(/(?:\bfrom|\bimport|\brequire|__require)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]!);
    assert.ok(specifiers.includes('node:worker_threads'), `the scan finds the thread's own imports (found: ${specifiers.join(', ')})`);
    const outside = specifiers.filter((specifier) => !isBuiltin(specifier));
    assert.deepEqual(outside, [], `health-thread.js imports ${outside.join(', ')}`);
  });

  it('ships the licenses of the packages it holds', () => {
    for (const name of ['@opentelemetry/sdk-metrics', '@opentelemetry/host-metrics', 'systeminformation']) {
      assert.match(
        licenses,
        new RegExp(`^${name}@\\d+\\.\\d+\\.\\d+ \\((Apache-2\\.0|MIT)\\)$`, 'm'),
        `${name} is listed with its version and license`,
      );
    }
    assert.match(licenses, /Apache License\s+Version 2\.0/, 'the Apache-2.0 text itself is included');
  });
});

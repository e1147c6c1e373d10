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

  it('holds no third-party package, and its licenses file says so', () => {
    const map = JSON.parse(readFileSync(new URL('../dist/health-thread.js.map', import.meta.url), 'utf8')) as { sources: string[] };
    const packages = new Set(
      map.sources
        .map((source) => /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(source)?.[1])
        .filter(Boolean),
    );
    assert.deepEqual([...packages], [], 'packages in the bundle');
    assert.ok(
      map.sources.some((source) => source.includes('thread/health-server')),
      `the map names the thread's own sources (${map.sources.length})`,
    );
    assert.match(licenses, /none but @worker-health\/exporter and @worker-health\/core/);
  });
});

// The thread boundary in the source layout (scripts/check-layout.mjs, run by `pnpm lint`).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../scripts/check-layout.mjs', import.meta.url));
const check = (srcDir?: string) => spawnSync(process.execPath, srcDir ? [script, srcDir] : [script], { encoding: 'utf8' });

describe('the thread boundary', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  /** A src/ tree of `files` (path → content). */
  const tree = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'layout-'));
    dirs.push(dir);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  };

  it('holds in the package sources', () => {
    const result = check();
    assert.equal(result.status, 0, result.stderr);
  });

  it('holds for imports that stay on their side or go to shared/', () => {
    const result = check(
      tree({
        'index.ts': "export { a } from './main/a.js';",
        'health-thread.ts': "import { b } from './thread/b.js';\nimport type { W } from './shared/wire.js';",
        'main/a.ts': "import type { W } from '../shared/wire.js';\nexport const a = 1;",
        'thread/b.ts': "import { c } from './c.js';\nexport const b = c;",
        'thread/c.ts': 'export const c = 1;',
        'shared/wire.ts': 'export type W = number;',
      }),
    );
    assert.equal(result.status, 0, result.stderr);
  });

  const crossings: Array<[string, Record<string, string>, RegExp]> = [
    [
      'a thread file imports a main file',
      { 'thread/a.ts': "import { x } from '../main/x.js';", 'main/x.ts': '' },
      /thread\/a\.ts: imports \.\.\/main\/x\.js \(thread → main\)/,
    ],
    [
      'a main file imports a thread file',
      { 'main/a.ts': "import type { X } from '../thread/x.js';", 'thread/x.ts': '' },
      /main\/a\.ts: imports \.\.\/thread\/x\.js \(main → thread\)/,
    ],
    ['shared/ imports main/', { 'shared/a.ts': "export * from '../main/x.js';", 'main/x.ts': '' }, /shared\/a\.ts: .*\(shared → main\)/],
    [
      'the thread entry imports main/',
      { 'health-thread.ts': "await import('./main/x.js');", 'main/x.ts': '' },
      /health-thread\.ts: .*\(thread → main\)/,
    ],
    [
      'the main entry imports thread/',
      { 'index.ts': "export { SERVER } from './thread/server.js';", 'thread/server.ts': '' },
      /index\.ts: .*\(main → thread\)/,
    ],
    ['a file outside the three folders', { 'util.ts': 'export const u = 1;' }, /util\.ts: not in main\/, thread\/ or shared\//],
  ];
  for (const [what, files, message] of crossings) {
    it(`fails, naming the import, when ${what}`, () => {
      const result = check(tree(files));
      assert.equal(result.status, 1, `exit code; stderr: ${result.stderr}`);
      assert.match(result.stderr, message);
    });
  }
});

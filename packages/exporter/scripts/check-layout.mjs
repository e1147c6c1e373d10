// The thread boundary, checked: which thread a file runs on shows in its folder.
//   src/main/    runs on the application's thread
//   src/thread/  runs in the health thread
//   src/shared/  the wire both import: message types, shared-buffer layouts
//   src/*.ts     entry files: index.ts and metric-reader.ts (main), health-thread.ts (thread)
// main/ never imports thread/ and thread/ never imports main/; shared/ imports
// neither. `node scripts/check-layout.mjs [src-dir]` exits 1 naming each import
// that crosses, so `pnpm lint` fails on it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENTRY_SIDES = { 'index.ts': 'main', 'metric-reader.ts': 'main', 'health-thread.ts': 'thread' };
const MAY_IMPORT = { main: ['main', 'shared'], thread: ['thread', 'shared'], shared: ['shared'] };

/** The side of a source file (relative to src/), or undefined for a file the layout does not know. */
function sideOf(path) {
  const [first, ...rest] = path.split(sep);
  if (rest.length === 0) return ENTRY_SIDES[first];
  return first in MAY_IMPORT ? first : undefined;
}

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Every crossing import under `srcDir`, as `file: imports target (side → side)` lines. */
export function layoutViolations(srcDir) {
  const problems = [];
  for (const file of sourceFiles(srcDir)) {
    const from = relative(srcDir, file);
    const side = sideOf(from);
    if (side === undefined) {
      problems.push(`${from}: not in main/, thread/ or shared/, and not an entry file (${Object.keys(ENTRY_SIDES).join(', ')})`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    for (const [, specifier] of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.[^'"]*)['"]/gm)) {
      const target = relative(srcDir, resolve(dirname(file), specifier));
      const targetSide = sideOf(target);
      if (target.startsWith('..')) problems.push(`${from}: imports ${specifier}, outside src/`);
      else if (targetSide === undefined || !MAY_IMPORT[side].includes(targetSide)) {
        problems.push(
          `${from}: imports ${specifier} (${side} → ${targetSide ?? 'unknown'}); ${side} may import ${MAY_IMPORT[side].join(' and ')} only`,
        );
      }
    }
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const srcDir = resolve(process.argv[2] ?? fileURLToPath(new URL('../src', import.meta.url)));
  const problems = layoutViolations(srcDir);
  if (problems.length > 0) {
    process.stderr.write(`thread boundary crossed in ${srcDir}:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    process.exit(1);
  }
}

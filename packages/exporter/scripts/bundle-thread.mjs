// Bundles the health thread's entry (dist/health-thread.js, built by tsc) and
// everything it imports into that one file, and writes the licenses of any
// bundled third-party package next to it (dist/health-thread.licenses.txt).
//
// Why: the thread is a second V8 isolate that loads its own copy of every
// module it imports: one file instead of one per module saves it the module
// loader's work and memory. It imports no third-party package today (its
// families are made without OpenTelemetry's SDK, see src/thread/), so the
// file holds this package's thread code and @worker-health/core's.
import { build } from 'esbuild';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const entry = join(root, 'dist/health-thread.js');
const licenses = join(root, 'dist/health-thread.licenses.txt');

const { metafile } = await build({
  absWorkingDir: root,
  entryPoints: [entry],
  outfile: entry,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // The OpenTelemetry packages ship ES modules under "module": those tree-shake, their CommonJS builds do not.
  mainFields: ['module', 'main'],
  // CommonJS dependencies call require() for Node's built-ins, which an ES module does not have.
  banner: {
    js:
      '// Bundled by scripts/bundle-thread.mjs; licenses of the bundled packages: health-thread.licenses.txt\n' +
      "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  // Maps point into src/ and the packages' own files, which ship or are installed: no copies inside.
  sourcemap: true,
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
});

// Apache-2.0 and MIT both ask that the license travel with the code.
const packages = new Map();
for (const input of Object.keys(metafile.inputs)) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match && !packages.has(match[1])) packages.set(match[1], findPackageJson(join(root, match[1])));
}
const sections = [...packages.values()]
  .filter((dir) => dir !== undefined)
  .map((dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = ['LICENSE', 'LICENSE.md', 'LICENSE.txt'].map((name) => join(dir, name)).find(existsSync);
    const text = file ? readFileSync(file, 'utf8').trim() : `(no license file shipped; package.json says ${manifest.license})`;
    return `${manifest.name}@${manifest.version} (${manifest.license})\n\n${text}\n`;
  })
  .sort();
writeFileSync(
  licenses,
  sections.length > 0
    ? `Packages bundled into health-thread.js\n\n${sections.join(`\n${'-'.repeat(72)}\n\n`)}`
    : 'Packages bundled into health-thread.js: none but @worker-health/exporter and @worker-health/core (MIT).\n',
);

function findPackageJson(dir) {
  // The path matched may be a package's folder; its package.json names it.
  for (let d = dir; d !== dirname(d); d = dirname(d)) if (existsSync(join(d, 'package.json'))) return d;
  return undefined;
}

// Bundles the health thread's entry (dist/health-thread.js, built by tsc) and
// everything it imports into that one file.
//
// Why: the thread is a second V8 isolate that loads its own copy of every
// module. Loaded as ~200 separate files, OpenTelemetry costs the thread about
// 14 MB of RSS; as one tree-shaken file about 4 MB (measured on Node 20, see
// BENCHMARKS.md, "Memory"). The main thread keeps using the installed packages.
import { build } from 'esbuild';

const entry = new URL('../dist/health-thread.js', import.meta.url).pathname;

await build({
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
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  sourcemap: true,
  legalComments: 'eof',
  logLevel: 'warning',
});

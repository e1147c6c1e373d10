// The Node x OpenTelemetry JS lines the consumer tests install and run: the
// newest release of each supported Node major, plus the lowest versions that
// the packages' `engines` and peer ranges admit.
// "system" is the Node running the tests (the CI machine's Node 20).

/** @typedef {{ node: string, otel: { '@opentelemetry/api': string, '@opentelemetry/sdk-metrics': string } }} Line */

const otel2 = { '@opentelemetry/api': '~1.9.0', '@opentelemetry/sdk-metrics': '^2.0.0' };
const otel2Floor = { '@opentelemetry/api': '1.9.0', '@opentelemetry/sdk-metrics': '2.0.0' };
const otel3 = { '@opentelemetry/api': '~1.10.0', '@opentelemetry/sdk-metrics': '^3.0.0' };
// OpenTelemetry JS 3.x requires Node >=22.15.0 (its engines field).
const otel3Floor = { '@opentelemetry/api': '1.10.0', '@opentelemetry/sdk-metrics': '3.0.0' };

/** @type {Line[]} */
export const LINES = [
  { node: 'system', otel: otel2 },
  { node: '22', otel: otel2Floor },
  { node: '22.15.0', otel: otel3Floor },
  { node: '24', otel: otel3 },
  { node: '26', otel: otel3 },
];

/** The major of Node that the tests' own process must be, as the "system" line above says. */
export const SYSTEM_NODE_MAJOR = 20;

export const PACKAGE_MANAGERS = ['npm', 'pnpm'];

/** @typedef {{ node: string, packageManager: string, otel: Record<string, string> }} ImportLine */

/**
 * The OpenTelemetry docs' `node --import ./instrumentation.mjs` set-up
 * (`sdk-node` with `auto-instrumentations-node`), one line of each major,
 * for test/otel-import.test.mjs. Each set is what one `auto-instrumentations-node`
 * release pairs with: the `sdk-node` it depends on (`^0.223.0`, `^0.300.0`:
 * one minor each) and that release's `exporter-prometheus` (the application's
 * own Prometheus endpoint) and `instrumentation` (the ESM hook the docs'
 * preload registers). `sdk-node` pins its `sdk-metrics` (2.12.0, 3.0.0): the
 * 2.x line asks for that version, so the application's reader and the SDK's
 * `MeterProvider` come from one copy; the 3.x line asks for `^3.0.0` as a user
 * adding it would, and gets the newest 3.x: a second copy beside the SDK's
 * once there is a newer one than 3.0.0 (3.1 already is).
 * @type {ImportLine[]}
 */
export const IMPORT_LINES = [
  {
    node: 'system',
    packageManager: 'npm',
    otel: {
      '@opentelemetry/api': '~1.9.0',
      '@opentelemetry/sdk-metrics': '2.12.0',
      '@opentelemetry/sdk-node': '0.223.0',
      '@opentelemetry/auto-instrumentations-node': '0.81.2',
      '@opentelemetry/exporter-prometheus': '0.223.0',
      '@opentelemetry/instrumentation': '0.223.0',
    },
  },
  {
    node: '24',
    packageManager: 'pnpm',
    otel: {
      '@opentelemetry/api': '~1.10.0',
      '@opentelemetry/sdk-metrics': '^3.0.0',
      '@opentelemetry/sdk-node': '0.300.0',
      '@opentelemetry/auto-instrumentations-node': '0.82.0',
      '@opentelemetry/exporter-prometheus': '0.300.0',
      '@opentelemetry/instrumentation': '0.300.0',
    },
  },
];

/**
 * The CommonJS TypeScript project of test/commonjs.test.mjs (`app-commonjs/`:
 * no `"type": "module"`, `import` statements that tsc compiles to `require()`),
 * installed with npm on OpenTelemetry JS 2.x: the TypeScript releases it
 * type-checks with, what `tsc --module <setting>` gives with each (`'passes'`,
 * or the one error code it reports), and the Node versions that run the
 * compiled `require()` calls (the system Node 20, the lowest 22 that `engines`
 * admits and the newest 24; every Node of `engines` loads ES modules with
 * `require()`). TypeScript 5.9.3, the newest 5.x, is where
 * `module: commonjs` still implies `moduleResolution: node10`, which reads
 * `typesVersions` and not `exports`; 7.0.2, the newest, implies `bundler`.
 */
export const COMMONJS = {
  otel: otel2,
  typescript: ['5.9.3', '7.0.2'],
  modules: { commonjs: 'passes', node20: 'passes', nodenext: 'passes', node16: 'TS1479' },
  nodes: ['system', '22.15.0', '24'],
};

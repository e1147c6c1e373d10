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

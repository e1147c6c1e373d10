import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { IMPORT_LINES, LINES } from '../lines.mjs';

const readme = readFileSync(new URL('../../packages/exporter/README.md', import.meta.url), 'utf8');
const HEADING = '## Node × OpenTelemetry lines that CI tests';

function nodeLabel(node) {
  return node === 'system' ? "20 (the CI machine's)" : /^\d+$/.test(node) ? `newest ${node}` : node;
}

/** The README row that describes a line of `LINES`. */
function row({ node, otel }) {
  const sdk = otel['@opentelemetry/sdk-metrics'];
  const exact = /^\d+\.\d+\.\d+$/.test(sdk);
  const otelLabel = `${/\d+/.exec(sdk)[0]}.x${exact ? ', lowest' : ''}`;
  return `| ${nodeLabel(node)} | ${otelLabel} | \`${otel['@opentelemetry/api']}\` | \`${sdk}\` |`;
}

/** The README row that describes a line of `IMPORT_LINES`. */
function importRow({ node, packageManager, otel }) {
  const names = ['sdk-node', 'auto-instrumentations-node', 'api', 'sdk-metrics'];
  return `| ${nodeLabel(node)} | ${packageManager} | ${names.map((name) => `\`${otel[`@opentelemetry/${name}`]}\``).join(' | ')} |`;
}

/** The body rows of the section's table whose header row starts with `header`. */
function table(header) {
  const section = readme.split(HEADING)[1];
  assert.ok(section, `packages/exporter/README.md has a "${HEADING}" section`);
  const lines = section.split('\n');
  const start = lines.findIndex((line) => line.startsWith(header));
  assert.notEqual(start, -1, `the section has a table headed "${header}…"`);
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
  return lines.slice(start + 2, end === -1 ? undefined : end);
}

describe("the exporter README's tables of tested lines", () => {
  it('lists exactly the lines the consumer smoke tests run (consumers/lines.mjs LINES)', () => {
    assert.deepEqual(table('| Node | OpenTelemetry JS |'), LINES.map(row));
  });

  it('lists exactly the lines the --import tests run (consumers/lines.mjs IMPORT_LINES)', () => {
    assert.deepEqual(table('| Node | installed with |'), IMPORT_LINES.map(importRow));
  });
});

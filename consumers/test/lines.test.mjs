import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { LINES } from '../lines.mjs';

const readme = readFileSync(new URL('../../packages/exporter/README.md', import.meta.url), 'utf8');
const HEADING = '## Node × OpenTelemetry lines that CI tests';

/** The README row that describes a line of lines.mjs. */
function row({ node, otel }) {
  const sdk = otel['@opentelemetry/sdk-metrics'];
  const exact = /^\d+\.\d+\.\d+$/.test(sdk);
  const nodeLabel = node === 'system' ? "20 (the CI machine's)" : /^\d+$/.test(node) ? `newest ${node}` : node;
  const otelLabel = `${/\d+/.exec(sdk)[0]}.x${exact ? ', lowest' : ''}`;
  return `| ${nodeLabel} | ${otelLabel} | \`${otel['@opentelemetry/api']}\` | \`${sdk}\` |`;
}

describe("the exporter README's table of tested lines", () => {
  it('lists exactly the lines the consumer tests run (consumers/lines.mjs)', () => {
    const section = readme.split(HEADING)[1];
    assert.ok(section, `packages/exporter/README.md has a "${HEADING}" section`);
    const lines = section.split('\n');
    const start = lines.findIndex((line) => line.startsWith('| Node |'));
    assert.notEqual(start, -1, 'the section has a table');
    const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
    const table = lines.slice(start + 2, end === -1 ? undefined : end);
    assert.deepEqual(table, LINES.map(row));
  });
});

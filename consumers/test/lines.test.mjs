import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { COMMONJS, IMPORT_LINES, LINES } from '../lines.mjs';

const readme = readFileSync(new URL('../../packages/exporter/README.md', import.meta.url), 'utf8');
const HEADING = '## Node × OpenTelemetry lines that CI tests';
const FORMAT_HEADING = '## Module format';

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

/** The text of the README section whose heading starts with `heading`, up to the next heading of its level. */
function sectionOf(heading) {
  const section = readme.split(`\n${heading}`)[1]?.split('\n## ')[0];
  assert.ok(section, `packages/exporter/README.md has a "${heading}" section`);
  return section;
}

/** The body rows of the section's table whose header row starts with `header`. */
function table(header, heading = HEADING) {
  const section = sectionOf(heading);
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

  it('lists exactly the CommonJS set-ups and results that test/commonjs.test.mjs checks (consumers/lines.mjs COMMONJS)', () => {
    const header = `| \`module\` in the project's tsconfig | ${COMMONJS.typescript.map((version) => `TypeScript ${version}`).join(' | ')} | why |`;
    const rows = table(header, FORMAT_HEADING).map((row) =>
      row
        .split(' | ')
        .slice(0, 1 + COMMONJS.typescript.length)
        .join(' | '),
    );
    const expected = Object.entries(COMMONJS.modules).map(
      ([module, result]) =>
        `| \`${module}\` | ${COMMONJS.typescript.map(() => (result === 'passes' ? 'type-checks' : result)).join(' | ')}`,
    );
    assert.deepEqual(rows, expected);
    const runsOn = `runs on Node ${COMMONJS.nodes.map(nodeLabel).join(', ')}:`;
    assert.ok(sectionOf(FORMAT_HEADING).replace(/\s+/g, ' ').includes(runsOn), `the section says "${runsOn}"`);
  });
});

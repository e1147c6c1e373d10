import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { defaultDashboard } from '@grafana/schema';
import { lintDashboard, type DashboardJson } from './dashboard-lint.js';
import { checkDashboards } from './dashboard-schema.js';

const grafana = (file: string) => fileURLToPath(new URL(`../../grafana/${file}`, import.meta.url));
const read = (file: string): DashboardJson => JSON.parse(readFileSync(grafana(file), 'utf8')) as DashboardJson;
const DASHBOARDS = ['worker-health.json', 'worker-health-suffix.json'];
const schemaVersion = defaultDashboard.schemaVersion;

/** A copy of the label-form dashboard with `change` applied to it. */
function broken(change: (d: DashboardJson) => void): DashboardJson {
  const dashboard = read('worker-health.json');
  change(dashboard);
  return dashboard;
}

/** Sets (or with `undefined`, deletes) the value at a dotted path inside the panel titled `title`, or the dashboard itself for `''`. */
function edit(dashboard: DashboardJson, title: string, path: string, value: unknown): void {
  let node = (title === '' ? dashboard : dashboard.panels.find((p) => p.title === title)) as unknown as Record<string, unknown>;
  assert.ok(node, `no panel titled ${title}`);
  const keys = path.split('.');
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  if (value === undefined) delete node[keys.at(-1)!];
  else node[keys.at(-1)!] = value;
}
const panel = (d: DashboardJson, title: string) => d.panels.find((p) => p.title === title)!;

describe('examples/grafana', () => {
  it('both dashboards type-check as @grafana/schema Dashboards, each panel as its plugin (options and field config)', () => {
    const diagnostics = checkDashboards(Object.fromEntries(DASHBOARDS.map((file) => [file, read(file)])));
    assert.deepEqual(diagnostics, []);
  });

  it('a malformed panel or dashboard fails the type check, each at its place', () => {
    const diagnostics = checkDashboards({
      'misspelled stat option': broken((d) => edit(d, 'Workers by status', 'options.colourMode', 'background')),
      'value outside an enum': broken((d) => edit(d, 'Listener health', 'options.showValue', 'sometimes')),
      'string for a number': broken((d) => edit(d, 'Event-loop lag', 'gridPos.w', '12')),
      'unknown panel type': broken((d) => edit(d, 'Heap used', 'type', 'graph')),
      'query without refId': broken((d) => edit(d, 'Process CPU', 'targets.0.refId', undefined)),
      'bad draw style': broken((d) => edit(d, 'Event-loop lag', 'fieldConfig.defaults.custom.drawStyle', 'lines')),
      'no schemaVersion': broken((d) => edit(d, '', 'schemaVersion', undefined)),
    });
    const at = (name: string) => diagnostics.filter((x) => x.dashboard === name).map((x) => `${x.where}: ${x.message}`);
    assert.match(at('misspelled stat option').join('\n'), /panel 2 "Workers by status": .*'"colourMode"' does not exist/);
    assert.match(at('value outside an enum').join('\n'), /panel 3 "Listener health": Type '"sometimes"' is not assignable/);
    assert.match(at('string for a number').join('\n'), /panel 4 "Event-loop lag": Type 'string' is not assignable to type 'number'/);
    assert.match(at('unknown panel type').join('\n'), /"Heap used": .*panel type graph is not checked/);
    assert.match(at('query without refId').join('\n'), /"Process CPU": Property 'refId' is missing/);
    assert.match(at('bad draw style').join('\n'), /"Event-loop lag": Type '"lines"' is not assignable/);
    assert.match(at('no schemaVersion').join('\n'), /dashboard: Property 'schemaVersion' is missing/);
  });

  it('both dashboards pass the structural checks (grid, ids, data sources, variables) at the schema version of @grafana/schema', () => {
    assert.equal(typeof schemaVersion, 'number');
    for (const file of DASHBOARDS) assert.deepEqual(lintDashboard(read(file), { schemaVersion }), [], file);
  });

  it('the structural checks find overlapping panels, a repeated id, a missing query, an undefined variable', () => {
    const problems = lintDashboard(
      broken((d) => {
        edit(d, 'Process memory (RSS)', 'gridPos.x', 4);
        edit(d, 'Heap used', 'id', panel(d, 'Process CPU').id);
        edit(d, 'Slots', 'targets', []);
        edit(d, 'Event-loop lag', 'targets.0.expr', 'hatchet_worker_event_loop_lag_seconds{worker=~"$workers"}');
        edit(d, 'Listen stream', 'gridPos.x', 20);
        edit(d, '', 'schemaVersion', 39);
      }),
      { schemaVersion },
    );
    const id = (title: string) => panel(read('worker-health.json'), title).id;
    const [cpu, memory] = [id('Process CPU'), id('Process memory (RSS)')];
    assert.deepEqual(
      problems.map((p) => p.replace(/^(panel \d+) "[^"]*"/, '$1')).sort(),
      [
        `schemaVersion 39: expected ${schemaVersion}, the version of @grafana/schema's Dashboard`,
        `panel ${cpu}: id used twice`,
        `panel ${id('Listen stream')}: gridPos {"h":8,"w":8,"x":20,"y":60} is not inside the 24-column grid`,
        `panels ${cpu} and ${memory} overlap`,
        `panel ${id('Event-loop lag')} query A: uses $workers, which is not defined`,
        `panel ${id('Slots')}: no query`,
      ].sort(),
      problems.join('\n'),
    );
  });

  it('worker-health-suffix.json is what suffix-form.mjs makes from worker-health.json', () => {
    const check = spawnSync(process.execPath, [grafana('suffix-form.mjs'), '--check'], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
  });
});

// What the schema's types cannot say about a Grafana dashboard: panels that overlap or leave the
// 24-column grid, ids used twice, queries without a data source or an expression, variables used
// but never defined.

/** Grafana's own variables a query may use. */
const BUILT_IN_VARIABLES = new Set(['__rate_interval', '__interval', '__interval_ms', '__range', '__range_s', '__range_ms']);
const GRID_COLUMNS = 24;

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface DashboardTarget {
  refId: string;
  expr: string;
  legendFormat?: string;
  datasource?: { type?: string; uid?: string };
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  gridPos: GridPos;
  datasource?: { type?: string; uid?: string };
  targets?: DashboardTarget[];
  panels?: DashboardPanel[];
}

export interface DashboardVariable {
  name: string;
  type: string;
  query?: string | { query: string };
}

export interface DashboardJson {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: DashboardPanel[];
  templating: { list: DashboardVariable[] };
}

/** The variables a text uses, in any of Grafana's three syntaxes: `$name`, `${name}` (with a format), `[[name]]`. */
export function variablesIn(text: string): string[] {
  return [...text.matchAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** Every panel with queries, rows' collapsed panels included. */
export function queryPanels(dashboard: DashboardJson): DashboardPanel[] {
  return dashboard.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}

/** The problems found, each naming the panel or variable; none means the dashboard passes. */
export function lintDashboard(dashboard: DashboardJson, { schemaVersion }: { schemaVersion: number }): string[] {
  const problems: string[] = [];
  if (!/^[\w-]{8,40}$/.test(dashboard.uid)) problems.push(`uid ${JSON.stringify(dashboard.uid)}: expected 8 to 40 of [A-Za-z0-9_-]`);
  if (dashboard.schemaVersion !== schemaVersion) {
    problems.push(`schemaVersion ${dashboard.schemaVersion}: expected ${schemaVersion}, the version of @grafana/schema's Dashboard`);
  }
  const variables = new Map(dashboard.templating.list.map((v) => [v.name, v]));
  if (variables.get('datasource')?.type !== 'datasource') problems.push('no data-source variable named "datasource"');
  const known = (name: string) => variables.has(name) || BUILT_IN_VARIABLES.has(name);
  for (const variable of dashboard.templating.list) {
    const query = typeof variable.query === 'object' ? variable.query.query : (variable.query ?? '');
    for (const used of variablesIn(query)) {
      if (!known(used)) problems.push(`variable ${variable.name}: its query uses $${used}, which is not defined`);
    }
  }

  const all = [...dashboard.panels, ...dashboard.panels.flatMap((p) => p.panels ?? [])];
  const ids = new Set<number>();
  for (const panel of all) {
    const name = `panel ${panel.id} "${panel.title}"`;
    if (!Number.isInteger(panel.id) || panel.id < 1) problems.push(`${name}: id must be a positive integer`);
    if (ids.has(panel.id)) problems.push(`${name}: id used twice`);
    ids.add(panel.id);
    const { x, y, w, h } = panel.gridPos;
    if (![x, y, w, h].every(Number.isInteger) || x < 0 || y < 0 || w < 1 || h < 1 || x + w > GRID_COLUMNS) {
      problems.push(`${name}: gridPos ${JSON.stringify(panel.gridPos)} is not inside the ${GRID_COLUMNS}-column grid`);
    }
    for (const used of variablesIn(panel.title)) if (!known(used)) problems.push(`${name}: the title uses $${used}, which is not defined`);
  }
  const placed = dashboard.panels;
  for (let i = 0; i < placed.length; i++) {
    for (let j = i + 1; j < placed.length; j++) {
      const [a, b] = [placed[i]!.gridPos, placed[j]!.gridPos];
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) {
        problems.push(`panels ${placed[i]!.id} and ${placed[j]!.id} overlap`);
      }
    }
  }

  for (const panel of queryPanels(dashboard)) {
    const name = `panel ${panel.id} "${panel.title}"`;
    const isPrometheus = (ds: DashboardTarget['datasource']) => ds?.type === 'prometheus' && /^\$\{datasource\}$/.test(ds.uid ?? '');
    if (!isPrometheus(panel.datasource)) problems.push(`${name}: its data source is not the "datasource" variable`);
    const targets = panel.targets ?? [];
    if (targets.length === 0) problems.push(`${name}: no query`);
    const refIds = new Set<string>();
    for (const target of targets) {
      if (refIds.has(target.refId)) problems.push(`${name}: refId ${target.refId} used twice`);
      refIds.add(target.refId);
      if (!isPrometheus(target.datasource))
        problems.push(`${name} query ${target.refId}: its data source is not the "datasource" variable`);
      if (typeof target.expr !== 'string' || target.expr.trim() === '') problems.push(`${name} query ${target.refId}: no expression`);
      for (const used of variablesIn(`${target.expr} ${target.legendFormat ?? ''}`)) {
        if (!known(used)) problems.push(`${name} query ${target.refId}: uses $${used}, which is not defined`);
      }
    }
  }
  return problems;
}

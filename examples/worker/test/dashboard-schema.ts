// Checks Grafana dashboard JSON against the types of @grafana/schema with the TypeScript compiler:
// each dashboard becomes an object literal typed as the schema's `Dashboard`, and each panel an
// object literal typed as a panel of its plugin (the schema's `Options` and `FieldConfig` of that
// panel type), so a wrong type, a misspelled key or a value outside an enum is a compile error.
// The files are virtual: nothing is written to disk.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const PANELCFG = '@grafana/schema/dist/esm/raw/composable';

/** The panel plugins a checked dashboard may use, with the schema module of each one's options. */
export const PANEL_TYPES = {
  timeseries: { module: `${PANELCFG}/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen`, fieldConfig: true },
  stat: { module: `${PANELCFG}/stat/panelcfg/x/StatPanelCfg_types.gen`, fieldConfig: false },
  'state-timeline': { module: `${PANELCFG}/statetimeline/panelcfg/x/StateTimelinePanelCfg_types.gen`, fieldConfig: true },
} as const;

// JSON holds the values of the schema's string enums, not the enums: compare with those values.
const PRELUDE = `
import type { Dashboard, DataSourceRef, FieldConfigSource, Panel, RowPanel } from '@grafana/schema';
${Object.values(PANEL_TYPES)
  .map(
    ({ module, fieldConfig }, i) =>
      `import type { Options as Options${i}${fieldConfig ? `, FieldConfig as FieldConfig${i}` : ''} } from '${module}';`,
  )
  .join('\n')}
type AsJson<T> = T extends string
  ? \`\${T}\`
  : T extends number | boolean | null | undefined
    ? T
    : T extends ReadonlyArray<infer U>
      ? AsJson<U>[]
      : T extends object
        ? { [K in keyof T]: AsJson<T[K]> }
        : T;
/** A query of Grafana's Prometheus data source (its documented fields). */
interface PrometheusQuery {
  refId: string;
  datasource: DataSourceRef;
  expr: string;
  legendFormat?: string;
  editorMode?: 'code' | 'builder';
  range?: boolean;
  instant?: boolean;
  format?: 'time_series' | 'table' | 'heatmap';
  interval?: string;
  exemplar?: boolean;
  hide?: boolean;
}
type PluginPanel<O, F> = AsJson<Omit<Panel, 'options' | 'fieldConfig' | 'targets' | 'type'>> & {
  datasource: DataSourceRef;
  options: AsJson<O>;
  fieldConfig: AsJson<FieldConfigSource<F>>;
  targets: PrometheusQuery[];
};
${Object.entries(PANEL_TYPES)
  .map(
    ([type, { fieldConfig }], i) =>
      `type Panel_${i} = PluginPanel<Options${i}, ${fieldConfig ? `FieldConfig${i}` : 'Record<string, never>'}> & { type: '${type}' };`,
  )
  .join('\n')}
type CheckedRow = AsJson<RowPanel>;
`;

export interface Diagnostic {
  /** Which dashboard: the name given to {@link checkDashboards}. */
  dashboard: string;
  /** Where in it: `dashboard` or `panel <id> "<title>"`. */
  where: string;
  message: string;
}

interface PanelJson {
  id?: unknown;
  title?: unknown;
  type?: unknown;
}

function source(dashboard: { panels?: PanelJson[] }): { text: string; where: Array<{ line: number; where: string }> } {
  const lines = [PRELUDE];
  const where: Array<{ line: number; where: string }> = [];
  const at = (label: string) => where.push({ line: lines.join('\n').split('\n').length + 1, where: label });
  at('dashboard');
  lines.push(`export const dashboard: AsJson<Dashboard> = ${JSON.stringify(dashboard, null, 2)};`);
  const types = Object.keys(PANEL_TYPES);
  (dashboard.panels ?? []).forEach((panel, n) => {
    at(`panel ${JSON.stringify(panel.id)} ${JSON.stringify(panel.title)}`);
    const i = types.indexOf(String(panel.type));
    // A panel type without a schema here is itself an error: name it in the checked source.
    const type = panel.type === 'row' ? 'CheckedRow' : i === -1 ? `'panel type ${String(panel.type)} is not checked'` : `Panel_${i}`;
    lines.push(`export const panel_${n}: ${type} = ${JSON.stringify(panel, null, 2)};`);
  });
  return { text: lines.join('\n'), where };
}

/**
 * Type-checks each dashboard (parsed JSON) in one compiler run; resolves every diagnostic, each
 * with the dashboard and the panel it is in. None means every dashboard matches the schema.
 */
export function checkDashboards(dashboards: Record<string, unknown>): Diagnostic[] {
  const files = new Map<string, { text: string; name: string; where: Array<{ line: number; where: string }> }>();
  Object.entries(dashboards).forEach(([name, dashboard], i) => {
    files.set(join(PACKAGE_DIR, 'test', `__dashboard_${i}__.ts`), { name, ...source(dashboard as { panels?: PanelJson[] }) });
  });
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => files.has(file) || fileExists.call(host, file);
  host.readFile = (file) => files.get(file)?.text ?? readFile.call(host, file);
  host.getSourceFile = (file, language, ...rest) => {
    const virtual = files.get(file);
    return virtual ? ts.createSourceFile(file, virtual.text, language) : getSourceFile.call(host, file, language, ...rest);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const file = d.file ? files.get(d.file.fileName) : undefined;
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!file || !d.file || d.start === undefined) return { dashboard: file?.name ?? '(setup)', where: '(setup)', message };
    const line = d.file.getLineAndCharacterOfPosition(d.start).line + 1;
    const found = [...file.where].reverse().find((w) => w.line <= line);
    return { dashboard: file.name, where: found?.where ?? '(prelude)', message };
  });
}

// Writes worker-health-suffix.json, the dashboard for workers in the default (suffix) form of the
// gauge names, from worker-health.json (the label form): every query reads the two gauges through
// the recording rules of examples/prometheus/recording-rules.yml, which give each worker of either
// form one series with a `worker` label. Only the queries, uid, title and description differ.
//   node examples/grafana/suffix-form.mjs           rewrites worker-health-suffix.json (then `npx biome format --write examples/grafana`)
//   node examples/grafana/suffix-form.mjs --check   exits 1 if it does not hold what this script writes (layout aside)
import { isDeepStrictEqual } from 'node:util';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const LABEL = new URL('./worker-health.json', import.meta.url);
const SUFFIX = new URL('./worker-health-suffix.json', import.meta.url);

/** The two gauge names of the label form, each with the recorded series that stands for it in either form. */
export const RECORDED = {
  hatchet_worker_listener_health: 'worker:hatchet_worker_listener_health:label_replace',
  hatchet_worker_event_loop_lag_seconds: 'worker:hatchet_worker_event_loop_lag_seconds:label_replace',
};

// A gauge name standing alone: not the start of a longer name (`…_health_my_worker`), not part of a recorded one.
const GAUGE = new RegExp(`(?<![\\w:])(${Object.keys(RECORDED).join('|')})(?![\\w:])`, 'g');

/** Replaces the label-form gauge names in a PromQL expression by their recorded series. */
export const toRecorded = (expr) => expr.replace(GAUGE, (name) => RECORDED[name]);

/** The suffix-form dashboard made from the label-form one (parsed JSON); the input is not changed. */
export function suffixForm(label) {
  const dashboard = structuredClone(label);
  dashboard.uid = 'worker-health-suffix';
  dashboard.title = `${label.title} (suffix form)`;
  dashboard.description =
    'Workers served by @worker-health/exporter in the default form of the gauge names, hatchet_worker_listener_health_<worker>, and in the label form alike. Needs the recording rules of examples/prometheus/recording-rules.yml, which give each worker one worker:hatchet_worker_listener_health:label_replace{worker="…"} series.';
  for (const variable of dashboard.templating.list) {
    if (variable.query && typeof variable.query === 'object') variable.query.query = toRecorded(variable.query.query);
  }
  for (const panel of dashboard.panels) {
    for (const target of panel.targets ?? []) target.expr = toRecorded(target.expr);
  }
  return dashboard;
}

const made = () => suffixForm(JSON.parse(readFileSync(LABEL, 'utf8')));

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    if (!isDeepStrictEqual(JSON.parse(readFileSync(SUFFIX, 'utf8')), made())) {
      process.stderr.write('examples/grafana/worker-health-suffix.json is stale: run node examples/grafana/suffix-form.mjs\n');
      process.exit(1);
    }
  } else {
    writeFileSync(SUFFIX, `${JSON.stringify(made(), null, 2)}\n`);
  }
}

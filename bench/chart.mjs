// Draws /health through a block of the main thread from a results.json (the stall section's
// timeline: every probe of one run of each target), as an SVG: latency of each probe by when it
// was sent, coloured by the status it got, this package above a main-thread server, with the
// block and the threshold marked. Vega-Lite compiles the spec, Vega renders it in Node.
//   node chart.mjs [dir]   reads <dir>/results.json (default bench/, whose chart is ../docs/health-during-block.svg)
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, View } from 'vega';
import { compile } from 'vega-lite';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
export const CHART_FILE = 'health-during-block.svg';

/** The targets drawn, in order, with the name each row is given. */
export const CHART_TARGETS = {
  package: 'worker-health: /health served from a worker thread',
  'prom-client': 'a main-thread server (node:http beside prom-client)',
};
const STATUS = new Map([
  [200, '200 HEALTHY'],
  [503, '503 UNHEALTHY'],
  [0, 'no answer'],
]);
const HEIGHT = 170;

const missingTimelines = (results) => Object.keys(CHART_TARGETS).filter((mode) => !Array.isArray(results.stall?.[mode]?.timeline?.probes));

/** Whether `results` (a parsed results.json) hold what the chart draws. */
export const hasChartData = (results) =>
  missingTimelines(results).length === 0 && typeof results.params?.stallThresholdSeconds === 'number';

/** The Vega-Lite spec of the chart for `results` (a parsed results.json). */
export function chartSpec(results) {
  const threshold = results.params?.stallThresholdSeconds;
  const missing = missingTimelines(results);
  if (missing.length > 0 || typeof threshold !== 'number') {
    throw new Error(
      `results.json has no stall timeline for ${missing.join(', ') || 'the threshold (params.stallThresholdSeconds)'}: ` +
        'expected stall.<target>.timeline.probes from bench/run.mjs (BENCH_ONLY=stall node bench/run.mjs) and params.stallThresholdSeconds',
    );
  }
  const values = [];
  const blocks = [];
  for (const [mode, target] of Object.entries(CHART_TARGETS)) {
    const { blockSeconds, probes } = results.stall[mode].timeline;
    blocks.push({ target, blockSeconds });
    for (const [t, ms, status] of probes) values.push({ target, t, ms: Math.max(ms, 0.01), status: STATUS.get(status) ?? String(status) });
  }
  const blockSeconds = Math.max(...blocks.map((b) => b.blockSeconds));
  const start = Math.min(0, ...values.map((v) => v.t));
  const end = Math.max(blockSeconds, threshold, ...values.map((v) => v.t));
  // Marks drawn once per row, not once per probe: the faceted data reduced to one datum per target.
  const once = [{ aggregate: [{ op: 'count', as: 'probes' }], groupby: ['target'] }];
  // A dashed line across the row, labelled at its foot, below the probes.
  const rule = (x, label, align = 'left') => [
    { transform: once, mark: { type: 'rule', strokeDash: [4, 3], color: '#555' }, encoding: { x: { datum: x } } },
    {
      transform: once,
      mark: { type: 'text', align, baseline: 'bottom', dx: align === 'left' ? 4 : -4, dy: -3, fontSize: 11, color: '#333' },
      encoding: { x: { datum: x }, y: { value: HEIGHT }, text: { value: label } },
    },
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `GET /health every ${results.params.stallProbeEveryMs} ms while the main thread is blocked for ${Math.round(blockSeconds)} s`,
      subtitle: [
        'each dot is a probe on a fresh connection: when it was sent, and how long its answer took',
        `threshold ${threshold} s; measured by bench/run.mjs (stall section) on ${results.date.slice(0, 10)}`,
      ],
      anchor: 'start',
    },
    data: { values },
    facet: {
      row: {
        field: 'target',
        type: 'nominal',
        sort: Object.values(CHART_TARGETS),
        title: null,
        header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontWeight: 'bold', labelFontSize: 12 },
      },
    },
    spec: {
      width: 640,
      height: HEIGHT,
      layer: [
        {
          transform: once,
          mark: { type: 'rect', color: '#f3e3c3' },
          encoding: { x: { datum: 0 }, x2: { datum: blockSeconds } },
        },
        {
          mark: { type: 'point', filled: true, size: 14, opacity: 0.8, aria: false },
          encoding: {
            x: {
              field: 't',
              type: 'quantitative',
              title: 'seconds since the block began (when the probe was sent)',
              scale: { domain: [Math.floor(start * 2) / 2, Math.ceil((end + 0.25) * 2) / 2], nice: false },
            },
            y: {
              field: 'ms',
              type: 'quantitative',
              title: 'answered after, ms',
              scale: { type: 'log', domain: [0.1, 20_000], clamp: true },
            },
            color: {
              field: 'status',
              type: 'nominal',
              title: 'status',
              scale: { domain: [...STATUS.values()], range: ['#2a9d3f', '#d62728', '#777777'] },
            },
          },
        },
        ...rule(0, 'block begins'),
        ...rule(threshold, `threshold ${threshold} s`),
        ...rule(blockSeconds, 'block ends', 'right'),
      ],
    },
    config: { font: 'sans-serif', view: { stroke: '#ddd' }, axis: { labelFontSize: 11, titleFontSize: 11 } },
  };
}

/** The chart of `results` as SVG text. */
export async function renderChart(results) {
  const view = new View(parse(compile(chartSpec(results)).spec), { renderer: 'none' });
  try {
    return `${await view.toSVG()}\n`;
  } finally {
    view.finalize();
  }
}

/** Where the chart of the results in `dir` goes: the repository's docs/ for bench/ itself, else beside them. */
export function chartPath(dir) {
  return realpathSync(dir) === realpathSync(BENCH_DIR) ? join(BENCH_DIR, '..', 'docs', CHART_FILE) : join(dir, CHART_FILE);
}

/** Reads `dir`/results.json and writes its chart; resolves the file written. */
export async function writeChart(dir) {
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  const file = chartPath(dir);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, await renderChart(results));
  return file;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`wrote ${await writeChart(process.argv[2] ?? BENCH_DIR)}\n`);
}

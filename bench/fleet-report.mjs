// The BENCHMARKS.md section of a fleet run (fleet.mjs), from its fleet-results.json alone.
import { median, round } from './lib.mjs';

const fmt = (value, unit = '') => (value === null || value === undefined || Number.isNaN(value) ? 'n/a' : `${value}${unit}`);
const pct = (share) => fmt(share === undefined || share === null ? share : round(share * 100, 2), ' %');
const table = (head, body) =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...body.map((row) => `| ${row.join(' | ')} |`)].join('\n');

/** The headline rows: what, figure. */
export function fleetRows(f) {
  const u = f.unhealthy;
  const blocked = f.alerts.HatchetWorkerEventLoopBlocked;
  const all = f.workers;
  const cpu = f.healthThreadsCpu;
  return [
    [
      `${f.params.alert} for the blocked worker: block start → pending / firing`,
      `${fmt(u.pendingAfterSeconds, ' s')} / ${fmt(u.firedAfterSeconds, ' s')} (threshold ${f.params.thresholdSeconds} s, \`for: ${u.forSeconds}s\`)`,
    ],
    [`${f.params.alert}: block end → resolved`, fmt(u.resolvedAfterBlockEndSeconds, ' s')],
    [
      'alerts for any other worker, or any other target, during the run',
      f.otherWorkersAlerted.length ? f.otherWorkersAlerted.join(', ') : 'none',
    ],
    [
      'HatchetWorkerEventLoopBlocked for the blocked worker: block start → pending / firing',
      blocked
        ? `${fmt(blocked.pendingAfterSeconds, ' s')} / ${fmt(blocked.firedAfterSeconds, ' s')} (\`for: ${blocked.forSeconds}s\`)`
        : 'not pending',
    ],
    [
      '`scrape_duration_seconds`: median of the workers’ averages / the longest scrape of any worker',
      `${median(all.map((w) => w.scrapeAvgMs))} / ${Math.max(...all.map((w) => w.scrapeMaxMs))} ms`,
    ],
    [
      'the blocked worker’s longest scrape during its block / its failed scrapes then',
      `${fmt(f.blocked.scrapeMaxMsDuringBlock, ' ms')} / ${fmt(f.blocked.failedScrapesDuringBlock)}`,
    ],
    ['failed scrapes of all workers over the run', String(all.reduce((s, w) => s + w.failedScrapes, 0))],
    ['series per worker (`scrape_samples_scraped`), median', String(median(all.map((w) => w.samplesPerScrape)))],
    ['series in Prometheus’s head block (the fleet, the synthetic series, the recorded rules)', String(f.prometheus.headSeries)],
    [
      `CPU of the ${all.length} health threads (off-main-thread CPU, less a worker without the healthcheck), of one core`,
      `${pct(cpu.totalShare)} (median ${pct(cpu.perWorkerMedianOffMainShare)} a worker; ${pct(cpu.controlOffMainShare)} for the worker without)`,
    ],
    [
      `CPU of the ${all.length} main threads / of Prometheus, of one core`,
      `${pct(cpu.mainThreadsTotalShare)} / ${pct(f.prometheus.cpuShare)}`,
    ],
  ];
}

/** The section, Markdown. */
export function fleetMarkdown(f) {
  const m = f.machine;
  const p = f.params;
  const banner = f.quick
    ? `> **Quick run** (${p.workers} workers, the rules' \`for\` shortened to ${p.alertForSeconds} s): the figures below are not the benchmark.\n\n`
    : '';
  const rules = p.alertForSeconds === null ? 'as shipped' : `with every \`for\` set to ${p.alertForSeconds} s`;
  return `## A fleet on one machine

${banner}Measured ${f.date.slice(0, 10)} by \`node bench/fleet.mjs${f.quick ? ' --quick' : ''}\` (${f.seconds} s) on ${m.cores} × ${m.cpu}, Node ${m.node}; load average ${m.loadAverageAtStart.join(', ')} at the start and ${m.loadAverageAtEnd.join(', ')} at the end. Every figure comes from [\`bench/fleet-results.json\`](bench/fleet-results.json). Reproduce with \`npx -y pnpm@12.4.2 turbo run build --filter=worker-health-bench... && npx -y pnpm@12.4.2 --filter worker-health-bench fleet\` (it rewrites that file and this section).

${p.workers} example workers (\`examples/worker\`, label form, threshold ${p.thresholdSeconds} s, each its own process, all on one dispatcher), found by one Prometheus through file-based service discovery (\`file_sd_configs\`) and scraped every ${p.scrapeSeconds} s, rules evaluated every ${p.scrapeSeconds} s: \`examples/prometheus/alerts.yml\` ${rules}, and \`recording-rules.yml\`. After ${f.healthThreadsCpu.steadySeconds} s of steady state (the CPU window), the dispatcher sends ${f.blocked.name} a task that blocks its event loop for ${p.blockSeconds} s; the alerts are read from Prometheus every ${p.pollMs} ms until ${p.alert} has fired and resolved. Times count from the worker's line "task … started", printed just before it blocks.

${table(['what', 'figure'], fleetRows(f))}

CPU is measured as ${f.healthThreadsCpu.method}. That remainder holds the health thread and the threads every Node process has (V8's platform workers, libuv's pool), which is why the same figure of a worker without the healthcheck is subtracted; the kernel counts in ticks of 10 ms, so the shorter the window, the coarser the figure.

${table(
  ['worker', 'scrape avg, ms', 'scrape max, ms', 'series', 'failed scrapes', 'off-main CPU', 'main-thread CPU'],
  f.workers.map((w) => [
    w.blocked ? `**${w.name}** (blocked)` : w.name,
    w.scrapeAvgMs,
    w.scrapeMaxMs,
    w.samplesPerScrape,
    w.failedScrapes,
    pct(w.cpu.offMainShare),
    pct(w.cpu.mainShare),
  ]),
)}

**On Kubernetes.** The PodMonitor in [\`examples/kubernetes/podmonitor.yaml\`](examples/kubernetes/podmonitor.yaml) does what the targets file does here: the Prometheus Operator turns it into a scrape job that finds every pod of the Deployment (Kubernetes service discovery, role pod) on its \`health\` port and labels the series \`job="hatchet"\`, so the same alert and recording rules and the dashboards of \`examples/grafana\` apply unchanged, with \`instance\` the pod's address. It scrapes every 5 s rather than every ${p.scrapeSeconds} s: Prometheus ingests a fifth of the samples (${p.workers} workers × ${median(f.workers.map((w) => w.samplesPerScrape))} series every 5 s is ${round((p.workers * median(f.workers.map((w) => w.samplesPerScrape))) / 5, 0)} samples a second), and a stall is seen by Prometheus up to one scrape interval after \`/health\` turns 503, so the alert's times above grow by up to 4 s. The health thread's CPU counts against the pod's CPU limit with the main thread's; each pod's kubelet also probes \`/livez\` and \`/readyz\`, which the health thread answers without waiting for the main thread.
`;
}

// A fleet on one machine: example workers (examples/worker, label form) found by one Prometheus
// through file-based service discovery and scraped every second with the repository's alert and
// recording rules; one worker is blocked past its threshold. Measures how long until
// HatchetWorkerUnhealthy fires for exactly that worker and no other, how long until it resolves,
// each worker's scrape_duration_seconds and series, and the CPU the health threads take.
//   node fleet.mjs            30 workers, the alert rules as shipped (for: 2m): bench/fleet-results.json
//                             and, beside bench/results.json, BENCHMARKS.md with a fleet section
//   node fleet.mjs --quick    5 workers, threshold 1 s, the rules' `for` shortened to 3 s, under 30 s
//   --out <dir>               where fleet-results.json goes (a quick run: a temporary folder unless given)
// Needs Debian's prometheus and a built example worker (turbo run build --filter=worker-health-bench...).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Child, freePort, listeningPort, until } from '@worker-health/testing';
import { machine, median, round, sleep } from './lib.mjs';
import { writeReport } from './report.mjs';

const QUICK = process.argv.includes('--quick');
const outFlag = process.argv.indexOf('--out');
const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const OUT = outFlag !== -1 ? process.argv[outFlag + 1] : QUICK ? mkdtempSync(join(tmpdir(), 'fleet-')) : BENCH_DIR;
const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));
const WORKER = join(EXAMPLES, 'worker/dist/main.js');
const DISPATCHER = join(EXAMPLES, 'worker/dist/dispatcher-main.js');

export const FLEET_RESULTS = 'fleet-results.json';
export const P = QUICK
  ? { workers: 5, thresholdSeconds: 1, alertForSeconds: 3, blockSeconds: 8, steadySeconds: 3, scrapeSeconds: 1 }
  : // The shipped rules: HatchetWorkerUnhealthy fires 2 min after /health turns 503, so the block outlasts that.
    { workers: 30, thresholdSeconds: 5, alertForSeconds: null, blockSeconds: 150, steadySeconds: 30, scrapeSeconds: 1 };
const ALERT = 'HatchetWorkerUnhealthy';
const POLL_MS = 250;
const log = (line) => process.stdout.write(`${line}\n`);

/** CPU seconds (user + system) of a process and of its main thread, from /proc (Linux). */
function cpuSeconds(pid, ticks) {
  const read = (path) => {
    const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticks; // utime, stime: fields 14 and 15 of stat(5)
  };
  return { process: read(`/proc/${pid}/stat`), main: read(`/proc/${pid}/task/${pid}/stat`) };
}

/** CPU shares of one core over a window, from two cpuSeconds() readings. */
function cpuShare(before, after, seconds) {
  const processShare = (after.process - before.process) / seconds;
  const mainShare = (after.main - before.main) / seconds;
  return { processShare: round(processShare, 4), mainShare: round(mainShare, 4), offMainShare: round(processShare - mainShare, 4) };
}

class Prometheus {
  constructor(port) {
    this.url = `http://127.0.0.1:${port}`;
  }
  async get(path, params = {}) {
    const response = await fetch(`${this.url}${path}?${new URLSearchParams(params)}`);
    const body = await response.json();
    if (body.status !== 'success') throw new Error(`Prometheus ${path} ${JSON.stringify(params)}: ${body.error}`);
    return body.data;
  }
  /** An instant query: [{ metric, value }]. */
  async query(query, time) {
    const data = await this.get('/api/v1/query', time === undefined ? { query } : { query, time: String(time) });
    return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }
  /** Values of an instant query by the label `by`. */
  async byLabel(query, by, time) {
    return Object.fromEntries((await this.query(query, time)).map((r) => [r.metric[by], r.value]));
  }
}

/** The alert rules of examples/prometheus, their `for` set to `seconds` (null: as shipped). */
function alertRules(seconds) {
  const shipped = readFileSync(join(EXAMPLES, 'prometheus/alerts.yml'), 'utf8');
  return seconds === null ? shipped : shipped.replace(/^(\s+for: ).+$/gm, `$1${seconds}s`);
}

const forOf = (rules, alert) => {
  const match = new RegExp(`- alert: ${alert}\\n(?:.*\\n)*?\\s+for: (\\d+)(s|m)`).exec(rules);
  return match ? Number(match[1]) * (match[2] === 'm' ? 60 : 1) : null;
};

async function main() {
  const found = spawnSync('prometheus', ['--version']).error === undefined;
  if (!found) throw new Error('prometheus is not installed (Debian package "prometheus"); the fleet needs a real Prometheus server');
  for (const file of [WORKER, DISPATCHER]) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: build the example first (npx -y pnpm@12.4.2 turbo run build --filter=worker-health-bench...)`);
  }
  const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim());
  if (!(ticks > 0)) throw new Error('getconf CLK_TCK gave no clock-tick rate: the CPU figures read /proc/<pid>/stat (Linux)');

  const dir = mkdtempSync(join(tmpdir(), 'fleet-prometheus-'));
  const children = [];
  const spawn = (script, env = {}, args = []) => {
    const child = new Child(script, env, args, { nextTimeoutMs: 30_000 });
    children.push(child);
    return child;
  };
  const started = Date.now();
  const machineAtStart = machine();
  try {
    // The dispatcher and Prometheus bind port 0 and the port is read back; the healthcheck's variable takes
    // no 0, so each worker gets a freePort(), which is below the ephemeral range that the workers' own
    // outgoing connections draw from (a port picked there was once taken by one before it was bound).
    const dispatcher = spawn(pathToFileURL(DISPATCHER), { EXAMPLE_DISPATCHER_PORT: '0' });
    const { dispatcherPort } = await dispatcher.next('dispatcherPort');

    const names = Array.from({ length: P.workers }, (_, i) => `worker-${String(i + 1).padStart(2, '0')}`);
    const blocked = names[Math.floor(names.length / 2)];
    const env = (name, port) => ({
      HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED: String(port !== undefined),
      ...(port === undefined ? {} : { HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT: String(port) }),
      HATCHET_CLIENT_WORKER_HEALTHCHECK_BIND_ADDRESS: '127.0.0.1',
      HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS: String(P.thresholdSeconds),
      EXAMPLE_START_DISPATCHER: 'false',
      EXAMPLE_DISPATCHER_PORT: String(dispatcherPort),
      EXAMPLE_WORKER_NAME: name,
      EXAMPLE_METRIC_NAME_FORM: 'label',
    });
    const workers = [];
    for (const name of names) {
      const port = await freePort();
      workers.push({ name, port, child: spawn(pathToFileURL(WORKER), env(name, port)) });
    }
    // The same worker without the healthcheck: what a worker's other threads take with none (V8's, libuv's).
    const control = spawn(pathToFileURL(WORKER), env('control'));
    await Promise.all([...workers.map((w) => w.child.next('ready')), control.next('ready')]);

    // File-based service discovery: Prometheus reads the targets from a file it watches.
    writeFileSync(
      join(dir, 'targets.json'),
      JSON.stringify([{ targets: workers.map((w) => `127.0.0.1:${w.port}`), labels: { fleet: 'bench' } }], null, 2),
    );
    const rules = alertRules(P.alertForSeconds);
    writeFileSync(join(dir, 'alerts.yml'), rules);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        `  scrape_interval: ${P.scrapeSeconds}s`,
        `  scrape_timeout: ${P.scrapeSeconds}s`,
        `  evaluation_interval: ${P.scrapeSeconds}s`,
        'rule_files:',
        `  - ${JSON.stringify(join(dir, 'alerts.yml'))}`,
        `  - ${JSON.stringify(join(EXAMPLES, 'prometheus/recording-rules.yml'))}`,
        'scrape_configs:',
        '  - job_name: "hatchet"',
        '    file_sd_configs:',
        `      - files: [${JSON.stringify(join(dir, 'targets.json'))}]`,
        '',
      ].join('\n'),
    );
    const server = spawn('prometheus', {}, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--web.listen-address=127.0.0.1:0',
      '--log.level=warn',
    ]);
    const prometheus = new Prometheus(await listeningPort(server.process.pid, 'prometheus'));
    const value = async (query) => (await prometheus.query(query))[0]?.value;
    await until('Prometheus to be ready', async () => ((await fetch(`${prometheus.url}/-/ready`)).ok ? true : undefined), 30_000);
    await until(
      `all ${P.workers} workers scraped and healthy`,
      async () => ((await value('count(hatchet_worker_listener_health{job="hatchet"} == 1)')) === P.workers ? true : undefined),
      60_000,
    );
    const active = async () => (await prometheus.get('/api/v1/alerts')).alerts;
    await until('no alert active', async () => ((await active()).length === 0 ? true : undefined), 30_000);

    // Steady state: every worker scraped every second, none blocked.
    const measured = [...workers.map((w) => w.child), control, server];
    const cpuBefore = measured.map((c) => cpuSeconds(c.process.pid, ticks));
    const steadyFrom = Date.now();
    await sleep(P.steadySeconds * 1000);
    const cpuAfter = measured.map((c) => cpuSeconds(c.process.pid, ticks));
    const steadySeconds = (Date.now() - steadyFrom) / 1000;
    const cpu = measured.map((_, i) => cpuShare(cpuBefore[i], cpuAfter[i], steadySeconds));

    // Block one worker; watch the alerts until the one for it has resolved.
    const victim = workers.find((w) => w.name === blocked);
    victim.child.lines.length = 0; // what it printed so far
    const said = (pattern) => victim.child.lines.some((line) => pattern.test(String(line.text)));
    const submitted = await fetch(`http://127.0.0.1:${dispatcherPort}/tasks?kind=block&seconds=${P.blockSeconds}&worker=${blocked}`, {
      method: 'POST',
    });
    if (submitted.status !== 202) throw new Error(`the dispatcher refused the block: ${submitted.status}`);
    // "worker: task 1 (block, … s) started" is printed just before the loop blocks.
    await until('the block to begin', async () => said(/task \d+ \(block, /) || undefined, 10_000);
    const blockFrom = Date.now();
    const seen = new Map(); // alertname → { pending, firing } first seen, in ms since the block began
    const others = new Set();
    let blockTo;
    let resolvedAt;
    const deadline = blockFrom + (P.blockSeconds + 60) * 1000;
    while (Date.now() < deadline) {
      const now = Date.now();
      const alerts = await active();
      for (const alert of alerts) {
        if (alert.labels.worker !== blocked || alert.labels.instance !== `127.0.0.1:${victim.port}`) {
          others.add(`${alert.labels.alertname} ${alert.labels.worker ?? alert.labels.instance} (${alert.state})`);
          continue;
        }
        const first = seen.get(alert.labels.alertname) ?? {};
        first[alert.state] ??= now - blockFrom;
        first.activeAt ??= Date.parse(alert.activeAt) - blockFrom;
        seen.set(alert.labels.alertname, first);
      }
      if (blockTo === undefined && said(/blocked the event loop for/)) blockTo = now;
      const stillActive = alerts.some((a) => a.labels.alertname === ALERT && a.labels.worker === blocked);
      if (blockTo !== undefined && seen.get(ALERT)?.firing !== undefined && !stillActive) {
        resolvedAt = Date.now();
        break;
      }
      await sleep(POLL_MS);
    }
    const runSeconds = Math.ceil((Date.now() - steadyFrom) / 1000);

    // What Prometheus recorded of each worker over the run, and of the blocked one during its block.
    const byInstance = (query, time) => prometheus.byLabel(query, 'instance', time);
    const avgScrape = await byInstance(`avg_over_time(scrape_duration_seconds{job="hatchet"}[${runSeconds}s])`);
    const maxScrape = await byInstance(`max_over_time(scrape_duration_seconds{job="hatchet"}[${runSeconds}s])`);
    const samples = await byInstance('scrape_samples_scraped{job="hatchet"}');
    const failed = await byInstance(
      `count_over_time(up{job="hatchet"}[${runSeconds}s]) - sum_over_time(up{job="hatchet"}[${runSeconds}s])`,
    );
    const blockEnd = (blockTo ?? Date.now()) / 1000;
    const blockRange = `${Math.max(1, Math.floor((blockEnd * 1000 - blockFrom) / 1000))}s`;
    const victimInstance = `127.0.0.1:${victim.port}`;
    const during = async (query) => (await prometheus.query(query.replaceAll('RANGE', blockRange), blockEnd))[0]?.value;
    const tsdb = await prometheus.get('/api/v1/status/tsdb');

    const ms = (s) => round(s * 1000, 2);
    const rows = workers.map((w, i) => {
      const instance = `127.0.0.1:${w.port}`;
      return {
        name: w.name,
        blocked: w.name === blocked,
        scrapeAvgMs: ms(avgScrape[instance]),
        scrapeMaxMs: ms(maxScrape[instance]),
        samplesPerScrape: samples[instance],
        failedScrapes: failed[instance],
        cpu: cpu[i],
      };
    });
    const controlCpu = cpu[workers.length];
    const offMain = rows.map((r) => r.cpu.offMainShare);
    const alerts = Object.fromEntries(
      [...seen].map(([name, first]) => [
        name,
        {
          forSeconds: forOf(rules, name),
          pendingAfterSeconds: first.pending === undefined ? null : round(first.pending / 1000, 2),
          activeAtAfterSeconds: round(first.activeAt / 1000, 2),
          firedAfterSeconds: first.firing === undefined ? null : round(first.firing / 1000, 2),
        },
      ]),
    );
    const results = {
      quick: QUICK,
      date: new Date(started).toISOString(),
      machine: { ...machineAtStart, loadAverageAtEnd: loadavg().map((x) => round(x, 2)) },
      params: { ...P, pollMs: POLL_MS, alert: ALERT, serviceDiscovery: 'file_sd_configs' },
      blocked: {
        name: blocked,
        blockSeconds: blockTo === undefined ? null : round((blockTo - blockFrom) / 1000, 2),
        scrapeMaxMsDuringBlock: ms(await during(`max_over_time(scrape_duration_seconds{instance="${victimInstance}"}[RANGE])`)),
        failedScrapesDuringBlock: await during(
          `count_over_time(up{instance="${victimInstance}"}[RANGE]) - sum_over_time(up{instance="${victimInstance}"}[RANGE])`,
        ),
        maxLagSeconds: round(await during(`max_over_time(hatchet_worker_event_loop_lag_seconds{worker="${blocked}"}[RANGE])`), 2),
      },
      alerts,
      unhealthy: {
        ...alerts[ALERT],
        resolvedAfterBlockEndSeconds: resolvedAt === undefined || blockTo === undefined ? null : round((resolvedAt - blockTo) / 1000, 2),
      },
      otherWorkersAlerted: [...others].sort(),
      workers: rows,
      healthThreadsCpu: {
        method:
          'process CPU minus main-thread CPU (utime + stime of /proc/<pid>/stat and /proc/<pid>/task/<pid>/stat) over the steady window, less the same for a worker without the healthcheck',
        steadySeconds: round(steadySeconds, 2),
        controlOffMainShare: controlCpu.offMainShare,
        perWorkerMedianOffMainShare: round(median(offMain), 4),
        totalOffMainShare: round(
          offMain.reduce((s, x) => s + x, 0),
          4,
        ),
        totalShare: round(
          offMain.reduce((s, x) => s + x - controlCpu.offMainShare, 0),
          4,
        ),
        mainThreadsTotalShare: round(
          rows.reduce((s, r) => s + r.cpu.mainShare, 0),
          4,
        ),
      },
      prometheus: { headSeries: tsdb.headStats.numSeries, cpuShare: cpu[workers.length + 1].processShare },
      seconds: round((Date.now() - started) / 1000, 1),
    };
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, FLEET_RESULTS), `${JSON.stringify(results, null, 2)}\n`);
    log(summary(results));
    log(`wrote ${join(OUT, FLEET_RESULTS)}`);
    if (existsSync(join(OUT, 'results.json'))) await writeReport(OUT, log);
    if (resolvedAt === undefined)
      throw new Error(`${ALERT} for ${blocked} did not fire and resolve within the block and a minute after it`);
  } finally {
    for (const child of children) child.process.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited()));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A few lines for the terminal. */
export function summary(r) {
  const u = r.unhealthy;
  return [
    `${r.workers.length} workers, ${r.blocked.name} blocked for ${r.blocked.blockSeconds} s (threshold ${r.params.thresholdSeconds} s)`,
    `${r.params.alert} (for ${u.forSeconds} s): pending after ${u.pendingAfterSeconds} s, firing after ${u.firedAfterSeconds} s, resolved ${u.resolvedAfterBlockEndSeconds} s after the block ended; other workers alerted: ${r.otherWorkersAlerted.length ? r.otherWorkersAlerted.join(', ') : 'none'}`,
    `scrape duration, median of the workers' averages: ${median(r.workers.map((w) => w.scrapeAvgMs))} ms; longest: ${Math.max(...r.workers.map((w) => w.scrapeMaxMs))} ms; the blocked worker's longest during its block: ${r.blocked.scrapeMaxMsDuringBlock} ms`,
    `samples per scrape: ${median(r.workers.map((w) => w.samplesPerScrape))} (median); Prometheus head series: ${r.prometheus.headSeries}`,
    `health threads: ${r.healthThreadsCpu.totalShare} of a core for ${r.workers.length} workers (off-main CPU ${r.healthThreadsCpu.totalOffMainShare}, less ${r.healthThreadsCpu.controlOffMainShare} each for a worker without the healthcheck)`,
  ].join('\n');
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main().catch((error) => {
    process.stderr.write(`fleet: ${error.message}\n`);
    process.exitCode = 1;
  });
}

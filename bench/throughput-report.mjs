// The side-by-side throughput of BENCHMARKS.md (sections throughput and throughputAllocating), from results.json.

const LABELS = {
  nothing: 'nothing started',
  nothing2: 'nothing started, a second process (the noise of the method)',
  floor: 'the floor: a bare worker thread with a `node:http` server and a static `/metrics`',
  defaults: 'worker-health, defaults',
};
const SECTIONS = [
  ['throughput', 'sorting'],
  ['throughputAllocating', 'allocating'],
];

const spread = (s) => `${s.median} (${s.min} – ${s.max})`;

/** The table's rows, one per set-up and one for the goal's difference; a column per workload that ran. */
export function throughputRows(r) {
  const ran = SECTIONS.filter(([key]) => r[key]);
  const rows = r[ran[0][0]].rows.map((key) => [
    LABELS[key] ?? key,
    ...ran.map(([section]) => {
      const x = r[section][key];
      return key === 'nothing' ? `1; ${x.itemsPerSecond} tasks/s` : spread(x.ratio);
    }),
  ]);
  rows.push(['worker-health, defaults − the floor', ...ran.map(([section]) => spread(r[section].defaultsMinusFloor))]);
  return { head: ['set-up', ...ran.map(([, name]) => `${name}: throughput vs nothing`)], rows };
}

/** The section, in Markdown. */
export function throughputSection(r, mdTable) {
  const first = r.throughput ?? r.throughputAllocating;
  if (!first) return '';
  const { head, rows } = throughputRows(r);
  const requests = SECTIONS.flatMap(([section]) => (r[section] ? r[section].rows.map((key) => r[section][key]) : []));
  const sent = requests.reduce((sum, x) => sum + x.requests, 0);
  const failed = requests.reduce((sum, x) => sum + x.failedRequests, 0);
  return `### Throughput side by side

${r.cost ? `The throughput column above cannot tell 0.01 apart: its processes that ran nothing twice ranged ${r.cost.nothing.throughputRatio.min} – ${r.cost.nothing.throughputRatio.max}, as a core of this machine changes speed from one run of a few seconds to the next. ` : ''}Here the set-ups run side by side instead. A round starts one worker process per row, all alive at once, and they take turns: one works for ${first.windowMs / 1000} s while the others wait (nothing probes them). Each window gets the traffic of the table above (\`/health\` every ${r.params.costProbeEveryMs} ms, \`/metrics\` every ${r.params.costScrapeEveryMs / 1000} s, fresh connections; a process with nothing started has it sent to a decoy). A window's throughput is taken against the mean of the windows of its cycle (one window per process, the order rotating), so the machine's drift cancels. The rows form a Latin square: the round has as many phases as rows, and in each phase every process runs another row's set-up, stopped and replaced between phases, so that each process runs each set-up once and its own speed (code layout, heap, JIT) drops out. ${first.cycles} cycles a phase, ${first.rounds} rounds; the median of the rounds, with the lowest and highest in brackets. The second process with nothing started is measured like the others: its figure is the method's own noise. ${failed} of ${sent} requests failed.

${mdTable(head, rows)}

`;
}

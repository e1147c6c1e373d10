// The "Stall reports" section of BENCHMARKS.md, from results.json.

const spreadOf = (x) => `${x.median} (${x.min} – ${x.max})`;

/** The section, in Markdown. */
export function stallReportsSection(r) {
  const s = r.stallReports;
  if (!s) return '';
  const d = s.detection;
  const c = s.captureCost;
  const cost = r.cost;
  const compare =
    cost?.noStall && cost.defaults
      ? `The cost table has defaults (stall reports on) beside stall reports off, measured in the same rounds: throughput ${cost.defaults.throughputRatio.median} and ${cost.noStall.throughputRatio.median}, RSS over nothing +${cost.defaults.rssOverNothingMiB.median} and +${cost.noStall.rssOverNothingMiB.median} MiB (the method's own noise: ${cost.nothing.throughputRatio.min} – ${cost.nothing.throughputRatio.max} in throughput, ${cost.nothing.rssOverNothingMiB.min} – ${cost.nothing.rssOverNothingMiB.max} MiB). Nothing blocks during those runs, so nothing is captured: the reports cost a worker that does not block nothing but the watchdog's timer.`
      : '';
  return `## Stall reports

| what | figure |
| --- | --- |
| block start + threshold → the \`blocked\` line on standard error, median / p99 of ${d.reported} of ${d.runs} blocks (threshold ${d.thresholdSeconds} s, blocks of ${d.blockMs} ms) | ${d.afterThresholdMs.median} / ${d.afterThresholdMs.p99} ms |
| the same, from the moment the lag passed the threshold (the line's \`lagSeconds\` less the threshold: the watchdog's own delay, apart from where in a 100 ms heartbeat interval the block began) | ${d.afterCrossingMs.median} / ${d.afterCrossingMs.p99} ms |
| main-thread time one capture takes: the probe's own time (\`stackMs\` of the lines), median / max | ${c.probeMs.median} / ${c.probeMs.max} ms |
| the same work on the main thread, blocking it, with reports on (${c.capturesPerBlock} captures a block) and off, side by side, ${c.rounds} rounds: median (fastest – slowest) | on ${spreadOf(c.workOnMs)}, off ${spreadOf(c.workOffMs)} ms: ${c.perCaptureFromWorkMs} ms a capture, ${Math.abs(c.workOnMs.median - c.workOffMs.median) <= Math.max(c.workOnMs.max - c.workOnMs.min, c.workOffMs.max - c.workOffMs.min) ? "within the rounds' own spread" : "beyond the rounds' spread"} |

The \`/health\` probe turns 503 at the same moment the line is due: both follow the lag past the threshold. A capture is one \`Runtime.evaluate\` of a probe that builds an \`Error\` and reads its call sites on the blocked thread; its answer crosses to the health thread as one inspector message. ${compare}

`;
}

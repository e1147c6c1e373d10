// The bars the figures of results.json are judged against. A bar is a target set by an issue, not a
// measurement: each verdict compares figures of the same run, and names them.
import { round } from './lib.mjs';

/** Verdicts for the sections present in `r`, keyed by bar: { bar, figure, met }. */
export function judge(r) {
  const v = {};
  if (r.stall) {
    const p = r.stall.package;
    v.stall = {
      bar: '≤ 1.5 × the idle p99 of the same run',
      figure: `${p.p99Ms} ms ≤ ${round(1.5 * p.idleP99Ms)} ms`,
      met: p.p99Ms <= 1.5 * p.idleP99Ms,
    };
  }
  if (r.detection) {
    const d = r.detection.package;
    v.detect = {
      bar: '≤ 150 ms',
      figure: d.detectMinusThresholdMs,
      met: d.detectMinusThresholdMs !== null && d.detectMinusThresholdMs <= 150,
    };
    v.recover = { bar: '≤ 150 ms', figure: d.recoverMs, met: d.recoverMs !== null && d.recoverMs <= 150 };
  }
  // The cost goals: on both workloads, with defaults, RSS over nothing ≤ the floor's + 4 MiB with and
  // without a forced GC, and throughput ≥ the floor's − 0.01; on the sorting one, throughput ≥ the peer's.
  for (const [section, name, sideBySide] of [
    ['cost', 'sorting', 'throughput'],
    ['costAllocating', 'allocating', 'throughputAllocating'],
  ]) {
    const c = r[section];
    if (!c) continue;
    const { defaults, floor, peer, nothing } = c;
    const tput = defaults.throughputRatio.median;
    // The nothing row runs the same work twice with nothing started: its range is what the method cannot tell apart.
    const noise = round((nothing.throughputRatio.max - nothing.throughputRatio.min) / 2, 3);
    const withinNoise = (a, b) => (Math.abs(a - b) <= noise ? `; the two differ by less than the method's noise (±${noise})` : '');
    // The floor goal is judged side by side (throughput.mjs) where that section ran: the cost table's
    // method cannot tell 0.01 apart.
    const t = r[sideBySide];
    v[`${section}ThroughputFloor`] = t
      ? {
          bar: `${name}: throughput with defaults ≥ the floor's − 0.01`,
          figure: `side by side, defaults ${t.defaults.ratio.median} and the floor ${t.floor.ratio.median}: defaults − floor ${t.defaultsMinusFloor.median} (rounds ${t.defaultsMinusFloor.rounds.join(', ')}) vs −0.01; the method's noise, a second process with nothing started: ${t.nothing2.ratio.rounds.join(', ')}`,
          met: t.defaultsMinusFloor.median >= -0.01,
        }
      : {
          bar: `${name}: throughput with defaults ≥ the floor's − 0.01`,
          figure: `${tput} vs ${round(floor.throughputRatio.median - 0.01, 3)}${withinNoise(tput, floor.throughputRatio.median)}`,
          met: tput >= floor.throughputRatio.median - 0.01,
        };
    for (const [column, words] of [
      ['rssOverNothingMiB', 'after a forced GC'],
      ['rssNoGcOverNothingMiB', 'without a forced GC'],
    ]) {
      v[`${section}Rss${column === 'rssOverNothingMiB' ? 'Gc' : 'NoGc'}`] = {
        bar: `${name}: RSS over nothing with defaults, ${words}, ≤ the floor's + 4 MiB`,
        figure: `${defaults[column].median} vs ${round(floor[column].median + 4, 1)} MiB`,
        met: defaults[column].median <= floor[column].median + 4,
      };
    }
    if (section === 'cost') {
      v.costThroughputPeer = {
        bar: "sorting: throughput with defaults ≥ the peer's",
        figure: `${tput} vs ${peer.throughputRatio.median}${withinNoise(tput, peer.throughputRatio.median)}`,
        met: tput >= peer.throughputRatio.median,
      };
    }
  }
  // Retired bars (the notes of BENCHMARKS.md say why): the lean scrape's latency against bare
  // exporter-prometheus (≤ 1.2×), RSS on − off (≤ 20 MB) and RSS growth (≤ 1 MB, replaced by the heap
  // growth below). Their figures are still measured and shown.
  if (r.memory) {
    const { mainGrowthMB: main, threadGrowthMB: thread } = r.memory;
    v.memoryGrowth = {
      bar: '≤ 1 MB on each thread',
      figure: `main thread ${main}, health thread ${thread} MB`,
      met: main <= 1 && thread <= 1,
    };
  }
  return v;
}

/** Latency and throughput of `mode` as multiples of bare exporter-prometheus serving the same two gauges. */
export function ratioToBareOtel(s, mode) {
  const bare = s['bare-otel'];
  const m = s[mode];
  return {
    c1P50: round(m.sequential.p50Ms / bare.sequential.p50Ms),
    c1P99: round(m.sequential.p99Ms / bare.sequential.p99Ms),
    c16Mean: round(m.c16.meanMs / bare.c16.meanMs),
    c16P99: round(m.c16.p99Ms / bare.c16.p99Ms),
    c1Rps: round(m.c1.rps / bare.c1.rps),
    c16Rps: round(m.c16.rps / bare.c16.rps),
  };
}

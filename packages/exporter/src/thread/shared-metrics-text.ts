import { helpText, valueText } from '../shared/prometheus-text.js';
import { SharedSeriesReader, type SharedFamily, type SharedSeries, type SharedSeriesState } from '../shared/shared-series.js';

/**
 * Health-thread side of the shared families: what the main thread described
 * (at the thread's start, then in messages), with the values read from shared
 * memory when `/metrics` is written. Families appear in the order they were
 * registered, each with the series written so far.
 */
export class SharedMetricsText {
  private readonly reader: SharedSeriesReader;
  private readonly families = new Map<number, { family: SharedFamily; series: Map<number, SharedSeries> }>();

  constructor(state: SharedSeriesState) {
    this.reader = new SharedSeriesReader(state.buffer);
    for (const family of state.families) this.addFamily(family);
    for (const series of state.series) this.addSeries(series);
  }

  addFamily(family: SharedFamily): void {
    if (!this.families.has(family.id)) this.families.set(family.id, { family, series: new Map() });
  }

  /** A series (a restarted thread may be told of one it has from its start data: it is kept once, by its slot). */
  addSeries(series: SharedSeries): void {
    this.families.get(series.familyId)?.series.set(series.slot, series);
  }

  /** The families' text, as of `at` (`process.hrtime.bigint()`, for the ages). */
  text(at: bigint): string {
    const { values, times } = this.reader.read();
    let text = '';
    for (const { family, series } of this.families.values()) {
      if (series.size === 0) continue;
      const { name } = family;
      const type = family.kind === 'age' ? 'gauge' : family.kind;
      text += `# HELP ${name} ${helpText(family.help)}\n# TYPE ${name} ${type}\n`;
      for (const { labels, slot } of series.values()) {
        if (family.kind === 'histogram') text += histogramLines(name, labels, family.buckets ?? [], values, slot);
        else if (family.kind === 'age') text += `${name}${labels} ${Number(at - times[slot]!) / 1e9}\n`;
        else text += `${name}${labels} ${valueText(values[slot]!)}\n`;
      }
    }
    return text;
  }
}

function histogramLines(name: string, labels: string, buckets: number[], values: Float64Array, slot: number): string {
  const inner = labels === '' ? '' : `${labels.slice(1, -1)},`;
  let text = '';
  let cumulative = 0;
  for (let i = 0; i <= buckets.length; i++) {
    cumulative += values[slot + i]!;
    text += `${name}_bucket{${inner}le="${i < buckets.length ? buckets[i] : '+Inf'}"} ${cumulative}\n`;
  }
  text += `${name}_sum${labels} ${valueText(values[slot + buckets.length + 1]!)}\n`;
  text += `${name}_count${labels} ${values[slot + buckets.length + 2]}\n`;
  return text;
}

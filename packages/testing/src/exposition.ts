export interface Family {
  help?: string;
  type?: string;
  samples: Array<{ name: string; labels: string; value: number }>;
}

/** A small parser of the Prometheus text format, enough to read back what the exporter wrote. */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let found = families.get(name);
    if (!found) {
      found = { samples: [] };
      families.set(name, found);
    }
    return found;
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE|UNIT) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (kind === 'HELP') family(name).help = rest;
      if (kind === 'TYPE') family(name).type = rest;
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const [, name, labels = '', value] = sample as unknown as [string, string, string | undefined, string];
    const base = [...families.keys()].reverse().find((f) => name === f || name.startsWith(`${f}_`)) ?? name;
    family(base).samples.push({ name, labels, value: Number(value) });
  }
  return families;
}

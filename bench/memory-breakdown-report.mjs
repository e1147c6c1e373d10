// The memory breakdown of BENCHMARKS.md (section memoryBreakdown), from results.json.

const LABELS = { nothing: 'nothing started', floor: 'the floor', defaults: 'worker-health, defaults' };
const WORKLOADS = { task: 'sorting', hash: 'allocating' };

const sum = (...values) => Math.round(values.reduce((a, b) => a + (b ?? 0), 0) * 100) / 100;
const heap = (h) => (h ? `${sum(h.newSpace)} / ${sum(h.oldSpace)} / ${sum(h.code, h.largeObjects)} / ${sum(h.external)}` : '–');

/** The section, in Markdown: where the RSS is, per thread and per kind. */
export function memoryBreakdownSection(r) {
  const b = r.memoryBreakdown;
  if (!b) return '';
  const tables = Object.entries(b.workloads).map(([workload, rows]) => {
    const body = Object.entries(rows).map(([key, x]) => {
      const p = x.noGc.process;
      return `| ${LABELS[key] ?? key} | ${p.rss} (${x.gc.process.rss}) | ${p.allocatorHeap} | ${p.anonymous} | ${p.files} | ${heap(x.noGc.main)} | ${heap(x.noGc.thread)} |`;
    });
    return `**${WORKLOADS[workload] ?? workload}**\n\n| process | RSS (after a GC of the main thread) | allocator heap | other anonymous | files | main thread: new / old / code / external | health thread: new / old / code / external |\n| --- | --- | --- | --- | --- | --- | --- |\n${body.join('\n')}`;
  });
  return `### Where the memory is

One fresh process of each kind, ${b.rounds} rounds, the median of each figure in MiB, read at the end of a run of the work with the traffic on (as in the table above), without a forced GC. RSS by kind of mapping (\`/proc/self/smaps\`): the allocator's own heap (\`[heap]\`, glibc's main arena), other anonymous memory (V8's heaps, the other threads' malloc arenas, stacks), and files (the \`node\` binary's pages that ran, libraries). Then each V8 heap by space, physical: the young generation (new), the old generation, code and large objects, and external memory (ArrayBuffers, buffers, strings held outside the heap). The floor's thread is a bare \`node:http\` server; the health thread is the package's, with its heap limits (\`THREAD_RESOURCE_LIMITS\`).

${tables.join('\n\n')}

`;
}

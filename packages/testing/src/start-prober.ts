import { Child } from './child.js';
import type { ProbeReply } from './prober.js';

export type { ProbeReply } from './prober.js';

const PROBER = new URL('./prober.js', import.meta.url);

/**
 * Probes `path` every `everyMs` from a separate process (`prober.js`) until
 * stopped; replies carry `sentAt` and `at` in epoch milliseconds.
 */
export async function startProber(port: number, path: string, everyMs: number): Promise<{ stop(): Promise<ProbeReply[]> }> {
  const prober = new Child(PROBER, {}, [String(port), path, String(everyMs)]);
  await prober.next('ready');
  return {
    async stop() {
      prober.send('stop');
      const { replies } = await prober.next('replies', 60_000);
      await prober.exited();
      return replies as ProbeReply[];
    },
  };
}

// Helpers of the exporter's own tests; shared ones are in @worker-health/testing.
import type { Worker } from 'node:worker_threads';
import type { CollectionResult } from '@opentelemetry/sdk-metrics';
import { sleep } from '@worker-health/testing';
import type { WorkerHealthcheck, WorkerHealthcheckOptions } from '../src/index.js';
import { resolveSettings } from '../src/main/options.js';
import { spawnHealthThread } from '../src/main/health-thread-host.js';
import { HealthcheckMetricReader } from '../src/main/healthcheck-metric-reader.js';
import { startHealthcheck } from '../src/main/worker-healthcheck.js';

/** The variables, spelled out here so that a renamed one fails the tests. */
export const ENV = {
  enabled: 'HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED',
  port: 'HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT',
  bind: 'HATCHET_CLIENT_WORKER_HEALTHCHECK_BIND_ADDRESS',
  threshold: 'HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS',
} as const;

/** A healthcheck whose health thread can be made to crash (a fixture thread through the host's spawn seam). */
export async function startCrashable(options: WorkerHealthcheckOptions): Promise<{ hc: WorkerHealthcheck; crash(): void }> {
  let current: Worker | undefined;
  const hc = await startHealthcheck(resolveSettings(options), {
    spawnThread: (data) => (current = spawnHealthThread(data, new URL('./fixtures/crashable-thread.mjs', import.meta.url))),
  });
  return { hc, crash: () => current?.postMessage({ type: 'test:crash' }) };
}

/** A reader whose collections take `delayMs`, counting them. */
export class SlowReader extends HealthcheckMetricReader {
  collections = 0;
  constructor(private readonly delayMs: number) {
    super();
  }
  override async collect(): Promise<CollectionResult> {
    this.collections++;
    await sleep(this.delayMs);
    return super.collect();
  }
}

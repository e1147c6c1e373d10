// Test hooks: not part of the public API (not in the exports map).
import type { WorkerHealthcheck } from './worker-healthcheck.js';
import type { HealthThreadHost } from './health-thread-host.js';

/** Makes the health thread throw an uncaught exception, as a bug in it would. */
export function crashHealthThreadForTest(handle: WorkerHealthcheck): void {
  (handle as unknown as { host: HealthThreadHost }).host.post({ type: 'test:crash' });
}

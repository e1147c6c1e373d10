export { HatchetHookError, HatchetWatchError } from './errors.js';
export { LISTENER_REASONS, type ListenerHealthSink, type ListenerReason } from './listener-health.js';
export type { HatchetClientLike, HatchetWorkerLike } from './sdk-objects.js';
export { SdkVersionUntestedWarning, TESTED_SDK_VERSIONS } from './sdk-version.js';
export { SdkHealthServerDisabledWarning, watchHatchetWorker, type WatchHatchetWorkerOptions } from './watch-hatchet-worker.js';
export { HATCHET_WORKER_FAMILIES, TASK_START_DELAY_BUCKETS } from './worker-families.js';
export { WORKER_METRICS_REFRESH_MS } from './worker-metrics.js';
export { HATCHET_HEALTH_WINDOWS } from './windows.js';

export { HatchetHookError, HatchetWatchError } from './errors.js';
export type { ListenerHealthSink } from './listener-health.js';
export type { HatchetClientLike, HatchetWorkerLike } from './sdk-objects.js';
export { SdkHealthServerDisabledWarning, watchHatchetWorker, type WatchHatchetWorkerOptions } from './watch-hatchet-worker.js';
export { HATCHET_HEALTH_WINDOWS } from './windows.js';

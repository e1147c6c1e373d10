import { WorkerHealthError } from '@worker-health/exporter';

/**
 * The Hatchet SDK object lacks something `watchHatchetWorker` hooks into: an
 * SDK version that moved or renamed it, or an object that is not what the
 * option says. The listener is never reported HEALTHY without its hooks.
 */
export class HatchetHookError extends WorkerHealthError {
  declare readonly code: 'ERR_WORKER_HEALTH_HATCHET_HOOK';
  /** The SDK version as the SDK reports it (`unknown` when it does not). */
  readonly sdkVersion: string;
  /** The property path that is missing or of the wrong kind, e.g. `worker._internal.exitGracefully`. */
  readonly missing: string;

  /**
   * `effect`: what follows, in words. Default: the version is not supported (a hook point of the
   * listener's health); `'metrics'`: only the families that read it are not served.
   */
  constructor(sdkVersion: string, missing: string, expected: string, effect: 'unsupported' | 'metrics' = 'unsupported') {
    super(
      'ERR_WORKER_HEALTH_HATCHET_HOOK',
      `watchHatchetWorker: @hatchet-dev/typescript-sdk ${sdkVersion} has no ${missing} (expected ${expected}); ` +
        (effect === 'metrics'
          ? 'the metric families that read it are not served; the listener is watched as usual'
          : 'this version is not supported: see the tested versions in the README of @worker-health/hatchet'),
    );
    this.sdkVersion = sdkVersion;
    this.missing = missing;
  }
}

/** `watchHatchetWorker` was called at a moment or with a worker it cannot watch. */
export class HatchetWatchError extends WorkerHealthError {
  declare readonly code:
    | 'ERR_WORKER_HEALTH_HATCHET_STARTED'
    | 'ERR_WORKER_HEALTH_HATCHET_WATCHED'
    | 'ERR_WORKER_HEALTH_HATCHET_HEALTHCHECK_WATCHED';

  constructor(code: HatchetWatchError['code'], message: string) {
    super(code, `watchHatchetWorker: ${message}`);
  }
}

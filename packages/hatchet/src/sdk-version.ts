/**
 * The SDK versions the tests run (test/sdk-versions.ts runs each; a test checks that these two
 * are the oldest and newest of that list). Any 1.x installs (the peer range is `>=1.21.0 <2`);
 * outside this range `watchHatchetWorker` warns once and watches whatever hooks it finds.
 */
export const TESTED_SDK_VERSIONS = { oldest: '1.21.0', newest: '1.33.2' } as const;

/** The SDK version is outside the tested range (or unknown): it is watched, with this warning. */
export class SdkVersionUntestedWarning extends Error {
  readonly code = 'WORKER_HEALTH_HATCHET_SDK_UNTESTED';
  /** The SDK version as the SDK reports it (`unknown` when it does not). */
  readonly sdkVersion: string;

  constructor(sdkVersion: string) {
    const { oldest, newest } = TESTED_SDK_VERSIONS;
    const where =
      sdkVersion === 'unknown' || parseVersion(sdkVersion) === undefined
        ? `reports no version this package can read (${JSON.stringify(sdkVersion)})`
        : compareVersions(sdkVersion, newest) > 0
          ? `${sdkVersion} is newer than the newest version tested`
          : `${sdkVersion} is older than the oldest version tested`;
    super(
      `watchHatchetWorker: @hatchet-dev/typescript-sdk ${where} with @worker-health/hatchet (tested up to ${newest}, from ${oldest}); ` +
        'its hook points are all in place, so it is watched; if /health or /metrics look wrong, use a tested version',
    );
    this.name = 'SdkVersionUntestedWarning';
    this.sdkVersion = sdkVersion;
  }
}

/** The warning for `sdkVersion`, or undefined when it is within the tested range. */
export function untestedVersionWarning(sdkVersion: string): SdkVersionUntestedWarning | undefined {
  const { oldest, newest } = TESTED_SDK_VERSIONS;
  if (parseVersion(sdkVersion) && compareVersions(sdkVersion, oldest) >= 0 && compareVersions(sdkVersion, newest) <= 0) return undefined;
  return new SdkVersionUntestedWarning(sdkVersion);
}

/** `[major, minor, patch]` of `1.33.2` (a pre-release or build suffix is ignored), or undefined. */
function parseVersion(version: string): [number, number, number] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** Negative, 0 or positive as `a` is older than, the same as, or newer than `b` (both parseable). */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [parseVersion(a), parseVersion(b)];
  if (!x || !y) throw new RangeError(`not a version: ${x ? b : a}`);
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

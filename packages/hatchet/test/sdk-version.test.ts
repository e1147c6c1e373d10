import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { SdkVersionUntestedWarning, TESTED_SDK_VERSIONS } from '../src/index.js';
import { compareVersions, untestedVersionWarning } from '../src/sdk-version.js';
import { SDK_VERSIONS } from './sdk-versions.js';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const require = createRequire(import.meta.url);

test('the version matrix: every minor from 1.21 to 1.33 at its newest patch, and the floor of the peer range', () => {
  assert.deepEqual(
    SDK_VERSIONS.map((entry) => entry.version),
    ['1.21.0', '1.21.2', '1.22.0', '1.23.0', '1.24.3', '1.26.0', '1.28.2', '1.30.0', '1.31.1', '1.33.2'],
  );
  assert.deepEqual(
    SDK_VERSIONS.filter((entry) => entry.suite === 'whole').map((entry) => entry.version),
    [TESTED_SDK_VERSIONS.oldest, TESTED_SDK_VERSIONS.newest],
  );
  assert.equal(manifest.peerDependencies['@hatchet-dev/typescript-sdk'], `>=${TESTED_SDK_VERSIONS.oldest} <2`);
  for (const { sdk, version } of SDK_VERSIONS) {
    const spec = manifest.devDependencies[sdk];
    assert.equal(spec, sdk === '@hatchet-dev/typescript-sdk' ? version : `npm:@hatchet-dev/typescript-sdk@${version}`, sdk);
    const installed = require(`${sdk}/package.json`) as { name: string; version: string };
    assert.deepEqual([installed.name, installed.version], ['@hatchet-dev/typescript-sdk', version], `${sdk} as installed`);
  }
});

test('a version outside the tested range gets a warning saying what was tested; one within it none', () => {
  for (const version of ['1.21.0', '1.26.0', '1.33.2']) assert.equal(untestedVersionWarning(version), undefined, version);
  const newer = untestedVersionWarning('1.99.0');
  assert.ok(newer instanceof SdkVersionUntestedWarning);
  assert.equal(newer.code, 'WORKER_HEALTH_HATCHET_SDK_UNTESTED');
  assert.equal(newer.sdkVersion, '1.99.0');
  assert.match(newer.message, /1\.99\.0 is newer than the newest version tested .*\(tested up to 1\.33\.2, from 1\.21\.0\)/);
  assert.match(untestedVersionWarning('1.34.0-rc.1')!.message, /1\.34\.0-rc\.1 is newer/);
  assert.match(untestedVersionWarning('1.20.9')!.message, /1\.20\.9 is older than the oldest version tested/);
  assert.match(untestedVersionWarning('unknown')!.message, /reports no version this package can read \("unknown"\)/);
  assert.ok(compareVersions('1.10.0', '1.9.9') > 0, 'numbers, not strings');
  assert.throws(() => compareVersions('1.x', '1.0.0'), /not a version: 1\.x/);
});

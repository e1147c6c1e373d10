import { describe } from 'node:test';
import { smallSet } from './scenarios.js';
import { SDK_VERSIONS } from './sdk-versions.js';

// Every version between the oldest and the newest: the smaller set, four workers at a time.
describe('the SDK versions between the oldest and the newest', { concurrency: 4 }, () => {
  for (const { sdk, version, suite } of SDK_VERSIONS) if (suite === 'small') smallSet(sdk, version);
});

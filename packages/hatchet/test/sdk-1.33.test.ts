import { scenarios } from './scenarios.js';
import { SDK_VERSIONS } from './sdk-versions.js';

// The newest version tested: the whole suite.
const newest = SDK_VERSIONS[SDK_VERSIONS.length - 1]!;
scenarios(newest.sdk, newest.version);

import { scenarios } from './scenarios.js';
import { SDK_VERSIONS } from './sdk-versions.js';

// The oldest version tested, the floor of the peer range: the whole suite.
const oldest = SDK_VERSIONS[0];
scenarios(oldest.sdk, oldest.version);

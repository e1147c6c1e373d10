import { scenarios } from './scenarios.js';

// The oldest version tested: installed as the devDependency alias hatchet-sdk-old.
scenarios('hatchet-sdk-old', '1.21.0');

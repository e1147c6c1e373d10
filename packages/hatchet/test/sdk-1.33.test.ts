import { scenarios } from './scenarios.js';

scenarios('@hatchet-dev/typescript-sdk', '1.33.2');

// Runs the dispatcher as its own process: `node dist/dispatcher-main.js`.
import { readExampleSettings } from './settings.js';
import { startDispatcher } from './dispatcher.js';

const settings = readExampleSettings();
const dispatcher = await startDispatcher(settings.dispatcherPort);
console.log(JSON.stringify({ dispatcherPort: dispatcher.port }));
const stop = () => void dispatcher.close().then(() => process.exit(0));
// Started by the example worker, it stops when the worker tells it (SIGTERM), after the worker's own shutdown.
if (process.env.EXAMPLE_DISPATCHER_MANAGED !== '1') process.once('SIGINT', stop);
else process.on('SIGINT', () => {});
process.once('SIGTERM', stop);

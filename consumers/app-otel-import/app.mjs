// The application after the preload: a counter of its own, an HTTP server of its
// own (its requests are the SERVER spans the app should see), and the healthcheck
// the preload set up (started here when HEALTHCHECK_START=app; `start()` gives the
// running one otherwise). Prints one JSON line when ready; SIGTERM shuts the SDK
// down, which stops the healthcheck too, after which the process must end by itself.
import { createServer } from 'node:http';
import { metrics } from '@opentelemetry/api';
import { healthcheck, sdk } from './instrumentation.mjs';

metrics.getMeter('consumer-app').createCounter('consumer_tasks_completed', { description: 'Tasks this app completed' }).add(3);

const handle = await healthcheck.start();
handle.setListenerHealthy(true);

const server = createServer((_request, response) => response.end('app\n'));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

process.once('SIGTERM', async () => {
  server.close();
  await sdk.shutdown();
  console.log(JSON.stringify({ stopped: true }));
});
console.log(JSON.stringify({ port: handle.port, appPort: server.address().port }));

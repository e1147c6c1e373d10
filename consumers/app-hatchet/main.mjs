// A Hatchet worker as the @worker-health/hatchet README shows it, with no engine: a worker with no
// workflows registers nothing, so hatchet.worker() needs no engine, and watchHatchetWorker hooks
// the SDK installed from the registry. Prints one JSON line when watching, with every warning
// given; SIGTERM is the SDK's own (it exits the process).
import { HatchetClient } from '@hatchet-dev/typescript-sdk';
import { startWorkerHealthcheck } from '@worker-health/exporter';
import { watchHatchetWorker } from '@worker-health/hatchet';

const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
// A token the SDK accepts (it only decodes the claims), pointing at a closed port: nothing connects.
const token = `${part({ alg: 'HS256' })}.${part({ sub: 'tenant', server_url: 'http://127.0.0.1:9', grpc_broadcast_address: '127.0.0.1:9' })}.x`;

const warnings = [];
const healthcheck = await startWorkerHealthcheck({ workerName: 'consumer', port: 0, bindAddress: '127.0.0.1' });
const hatchet = HatchetClient.init({ token, log_level: 'OFF', healthcheck: { enabled: false, port: 8001 } });
const worker = await hatchet.worker('consumer', { workflows: [], slots: 3 });
watchHatchetWorker(healthcheck, { hatchet, worker, onWarning: (warning) => warnings.push(`${warning.code}: ${warning.message}`) });
// Stands for the worker's own work, which is what keeps a worker process alive.
setInterval(() => {}, 60_000);
console.log(JSON.stringify({ port: healthcheck.port, warnings }));

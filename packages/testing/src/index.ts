export { Child, type ChildOptions } from './child.js';
export { parseExposition, type Family } from './exposition.js';
export { get, load, type LoadReply, type Reply } from './http.js';
export { hasPrometheusTools } from './prometheus-tools.js';
export { raw, rawRequest, type RawReply, type RawRequestOptions } from './raw-request.js';
export { startProber, type ProbeReply } from './start-prober.js';
export { listeningPort, listeningPorts } from './listening-port.js';
export { freePort, sleep, until } from './wait.js';

// The OpenTelemetry docs' set-up, started with `node --import ./instrumentation.mjs app.mjs`:
// the ESM hook registered, a NodeSDK with the auto-instrumentations (which turn on
// the runtime instrumentation by default), the application's own PrometheusExporter,
// and the healthcheck as a reader of the SDK's MeterProvider.
//
// HEALTHCHECK_START says where the healthcheck starts: `preload-before-sdk` and
// `preload-after-sdk` here, around `sdk.start()`; `app` in app.mjs, after this file ran.
// Each run of this file, each span that ends and each bind of the PrometheusExporter
// is appended to CONSUMER_EVENTS as one JSON line that says which thread it was:
// a second run or a second SDK in the health thread shows there.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread, threadId } from 'node:worker_threads';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { WorkerHealthcheckReader } from '@worker-health/exporter/metric-reader';

const record = (event) => appendFileSync(process.env.CONSUMER_EVENTS, `${JSON.stringify({ ...event, isMainThread, threadId })}\n`);
record({ preloadRan: true });

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

export const healthcheck = new WorkerHealthcheckReader({ workerName: 'otel_import', port: 0, bindAddress: '127.0.0.1' });
const prometheus = new PrometheusExporter({ host: '127.0.0.1', port: Number(process.env.APP_PROMETHEUS_PORT) }, (error) =>
  record(error ? { prometheusError: String(error) } : { prometheusListening: true }),
);

// Stands for a span exporter: records every span that ends, with the thread it ended in.
const spanRecorder = {
  onStart() {},
  onEnd(span) {
    record({ span: span.name, kind: span.kind, path: span.attributes['url.path'] ?? span.attributes['http.target'] });
  },
  forceFlush: async () => {},
  shutdown: async () => {},
};

export const sdk = new NodeSDK({
  instrumentations: [getNodeAutoInstrumentations()],
  metricReaders: [healthcheck, prometheus],
  spanProcessors: [spanRecorder],
});

const start = process.env.HEALTHCHECK_START;
if (!['preload-before-sdk', 'preload-after-sdk', 'app'].includes(start)) {
  throw new Error(`HEALTHCHECK_START is ${JSON.stringify(start)}; expected preload-before-sdk, preload-after-sdk or app`);
}
if (start === 'preload-before-sdk') await healthcheck.start();
sdk.start();
if (start === 'preload-after-sdk') await healthcheck.start();

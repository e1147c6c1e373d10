import { HealthcheckMetricReader } from './healthcheck-metric-reader.js';
import { resolveSettings, type HealthcheckSettings, type WorkerHealthcheckOptions } from './options.js';
import { startHealthcheck, type WorkerHealthcheck } from './worker-healthcheck.js';

/** Options of {@link WorkerHealthcheckReader}: those of `startWorkerHealthcheck`, less `metricReader` (the reader is itself). */
export type WorkerHealthcheckReaderOptions = Omit<WorkerHealthcheckOptions, 'metricReader'>;

/**
 * The healthcheck as a `MetricReader`, wired as OpenTelemetry users wire
 * exporters: register it in `new MeterProvider({ readers: [healthcheck] })`
 * (or the NodeSDK's `metricReaders`), `await healthcheck.start()` to bind the
 * port (it rejects on a bad setting or a port in use), and
 * `provider.shutdown()` stops the server and the thread too. `/metrics`
 * serves the provider's metrics beside the healthcheck's.
 *
 * The constructor does nothing but keep the options; settings are read and
 * checked at start.
 */
export class WorkerHealthcheckReader extends HealthcheckMetricReader {
  private running: Promise<WorkerHealthcheck> | undefined;

  constructor(private readonly options: WorkerHealthcheckReaderOptions) {
    super();
  }

  /** Starts the healthcheck, whatever `HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED` says. Idempotent: later calls give the same handle. */
  start(): Promise<WorkerHealthcheck> {
    // Settings are read inside the promise, so a bad one rejects rather than throws.
    this.running ??= Promise.resolve().then(() => startHealthcheck(this.settings()));
    return this.running;
  }

  /**
   * Starts the healthcheck when `HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED` is true; resolves
   * `undefined` (opening nothing) otherwise. Once started, gives the same handle as {@link start}.
   */
  async startFromEnv(): Promise<WorkerHealthcheck | undefined> {
    if (this.running) return this.running;
    const settings = this.settings();
    if (!settings.enabled) return undefined;
    this.running ??= startHealthcheck(settings);
    return this.running;
  }

  private settings(): HealthcheckSettings {
    return resolveSettings({ ...this.options, metricReader: this });
  }

  protected override async onShutdown(): Promise<void> {
    const running = this.running?.catch(() => undefined);
    await (await running)?.shutdown();
  }
}

import { HealthcheckMetricReader } from './metric-reader.js';
import { resolveSettings } from './settings.js';
import { startHealthcheck, type WorkerHealthcheck, type WorkerHealthcheckOptions } from './worker-healthcheck.js';

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
  private running: Promise<WorkerHealthcheck | undefined> | undefined;

  constructor(private readonly options: WorkerHealthcheckReaderOptions) {
    super();
  }

  /** Starts the healthcheck, whatever `HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED` says. Idempotent: later calls give the same handle. */
  async start(): Promise<WorkerHealthcheck> {
    this.running ??= this.launch(false);
    return (await this.running)!;
  }

  /** Starts the healthcheck when `HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED` is true; resolves `undefined` (opening nothing) otherwise. */
  async startFromEnv(): Promise<WorkerHealthcheck | undefined> {
    this.running ??= this.launch(true);
    return this.running;
  }

  private async launch(onlyIfEnabled: boolean): Promise<WorkerHealthcheck | undefined> {
    const settings = resolveSettings({ ...this.options, metricReader: this });
    if (onlyIfEnabled && !settings.enabled) return undefined;
    return startHealthcheck(settings);
  }

  protected override async onShutdown(): Promise<void> {
    const running = this.running?.catch(() => undefined);
    await (await running)?.shutdown();
  }
}

/** Example-only settings (the healthcheck itself reads HATCHET_CLIENT_WORKER_HEALTHCHECK_*). */
export interface ExampleSettings {
  /** Port of the local dispatcher. Env `EXAMPLE_DISPATCHER_PORT`, default 8080. */
  dispatcherPort: number;
  /** Where the worker connects. Env `EXAMPLE_DISPATCHER_URL`, default `http://127.0.0.1:<dispatcherPort>`. */
  dispatcherUrl: string;
  /** The worker's name. Env `EXAMPLE_WORKER_NAME`, default `my_worker`. */
  workerName: string;
  /** Reconnect after this long without a byte from the dispatcher. Env `EXAMPLE_LISTENER_SILENCE_MS`, default 6000. */
  silenceLimitMs: number;
  /**
   * How the healthcheck names the worker's gauges (its `metricNameForm` option): `suffix`,
   * `hatchet_worker_listener_health_my_worker`, or `label`, `hatchet_worker_listener_health{worker="my_worker"}`.
   * Env `EXAMPLE_METRIC_NAME_FORM`, default `suffix`.
   */
  metricNameForm: 'suffix' | 'label';
}

const METRIC_NAME_FORMS = ['suffix', 'label'] as const;

export function readExampleSettings(env: NodeJS.ProcessEnv = process.env): ExampleSettings {
  const rawPort = env.EXAMPLE_DISPATCHER_PORT ?? '8080';
  const dispatcherPort = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : NaN;
  if (!(dispatcherPort >= 0 && dispatcherPort <= 65535)) {
    throw new Error(`EXAMPLE_DISPATCHER_PORT=${JSON.stringify(rawPort)} is not valid: expected an integer from 0 to 65535`);
  }
  const dispatcherUrl = env.EXAMPLE_DISPATCHER_URL ?? `http://127.0.0.1:${dispatcherPort}`;
  try {
    new URL(dispatcherUrl);
  } catch {
    throw new Error(`EXAMPLE_DISPATCHER_URL=${JSON.stringify(dispatcherUrl)} is not valid: expected an http:// URL`);
  }
  const rawSilence = env.EXAMPLE_LISTENER_SILENCE_MS ?? '6000';
  const silenceLimitMs = /^\d+$/.test(rawSilence) ? Number(rawSilence) : NaN;
  if (!(silenceLimitMs >= 2_500)) {
    throw new Error(
      `EXAMPLE_LISTENER_SILENCE_MS=${JSON.stringify(rawSilence)} is not valid: expected an integer of at least 2500 (the dispatcher pings every 2 s)`,
    );
  }
  const metricNameForm = env.EXAMPLE_METRIC_NAME_FORM ?? 'suffix';
  if (!(METRIC_NAME_FORMS as readonly string[]).includes(metricNameForm)) {
    throw new Error(
      `EXAMPLE_METRIC_NAME_FORM=${JSON.stringify(metricNameForm)} is not valid: expected suffix (hatchet_worker_listener_health_<worker>) or label (hatchet_worker_listener_health{worker="<worker>"})`,
    );
  }
  return {
    dispatcherPort,
    dispatcherUrl,
    workerName: env.EXAMPLE_WORKER_NAME ?? 'my_worker',
    silenceLimitMs,
    metricNameForm: metricNameForm as ExampleSettings['metricNameForm'],
  };
}

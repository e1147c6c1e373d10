import type { MetricNameForm } from '@worker-health/exporter';

/** Example-only settings (the healthcheck itself reads HATCHET_CLIENT_WORKER_HEALTHCHECK_*). */
export interface HatchetExampleSettings {
  /**
   * The worker's name, given to `hatchet.worker()` and to the healthcheck (`workerName`).
   * Env `EXAMPLE_WORKER_NAME`, default `my_worker`.
   */
  workerName: string;
  /**
   * How the healthcheck names the worker's metrics (its `metricNameForm` option): `suffix`,
   * `hatchet_worker_listener_health_my_worker`, or `label`, `hatchet_worker_listener_health{worker="my_worker"}`
   * (the adapter's families then carry `worker` too). Env `EXAMPLE_METRIC_NAME_FORM`, default `suffix`.
   */
  metricNameForm: MetricNameForm;
  /** Port of the example's task and fake-engine routes, on 127.0.0.1. Env `EXAMPLE_TASKS_PORT`, default 8080. */
  tasksPort: number;
}

const METRIC_NAME_FORMS: readonly string[] = ['suffix', 'label'] satisfies MetricNameForm[];

/** Reads the settings; throws an Error naming the variable, the value given and what is accepted. */
export function readHatchetExampleSettings(env: NodeJS.ProcessEnv = process.env): HatchetExampleSettings {
  const workerName = env.EXAMPLE_WORKER_NAME ?? 'my_worker';
  if (workerName.trim() === '') {
    throw new Error(`EXAMPLE_WORKER_NAME=${JSON.stringify(workerName)} is not valid: expected a worker name, e.g. my_worker`);
  }
  const metricNameForm = env.EXAMPLE_METRIC_NAME_FORM ?? 'suffix';
  if (!METRIC_NAME_FORMS.includes(metricNameForm)) {
    throw new Error(
      `EXAMPLE_METRIC_NAME_FORM=${JSON.stringify(metricNameForm)} is not valid: expected suffix (hatchet_worker_listener_health_<worker>) or label (hatchet_worker_listener_health{worker="<worker>"})`,
    );
  }
  const rawPort = env.EXAMPLE_TASKS_PORT ?? '8080';
  const tasksPort = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : NaN;
  if (!(tasksPort <= 65535)) {
    throw new Error(`EXAMPLE_TASKS_PORT=${JSON.stringify(rawPort)} is not valid: expected an integer from 0 to 65535`);
  }
  return { workerName, metricNameForm: metricNameForm as MetricNameForm, tasksPort };
}

import { Child, freePort, get, parseExposition, sleep, type Family } from '@worker-health/testing';
import { FakeHatchetEngine } from '@worker-health/testing/fake-hatchet-engine';

export { sleep };

const FIXTURE = new URL('./fixtures/hatchet-worker.ts', import.meta.url).pathname;

export interface Health {
  code: number;
  status: string;
  body: Record<string, unknown>;
}

/** A fake engine in this process and the fixture worker (real SDK) in a child process. */
export class Run {
  readonly engine: FakeHatchetEngine;
  child!: Child;
  healthPort = 0;

  constructor(readonly sdk: string) {
    this.engine = new FakeHatchetEngine(sdk, import.meta.url);
  }

  /** Starts the engine (unless `engineUp` is false: then the token points at closed ports) and the worker. */
  async start(env: NodeJS.ProcessEnv = {}, { engineUp = true, until = 'watching' } = {}): Promise<this> {
    if (engineUp) await this.engine.start();
    else {
      this.engine.grpcPort = await freePort();
      this.engine.httpPort = await freePort();
    }
    this.child = new Child(
      process.execPath,
      {
        FIXTURE_SDK: this.sdk,
        HATCHET_CLIENT_TOKEN: this.engine.token,
        HATCHET_CLIENT_TLS_STRATEGY: 'none',
        HATCHET_CLIENT_HOST_PORT: undefined,
        HATCHET_CLIENT_API_URL: undefined,
        HATCHET_CLIENT_TENANT_ID: undefined,
        HATCHET_CLIENT_NAMESPACE: undefined,
        HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED: undefined,
        HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT: undefined,
        ...env,
      },
      ['--import', 'tsx', FIXTURE],
    );
    this.healthPort = Number((await this.child.next('healthPort', 20_000)).healthPort);
    if (until) await this.child.next(until, 30_000);
    return this;
  }

  async health(): Promise<Health> {
    const reply = await get(this.healthPort, '/health', 'GET', 2_000);
    const body = JSON.parse(reply.body) as Record<string, unknown>;
    return { code: reply.status, status: String(body.status), body };
  }

  /** Our /metrics, as text. */
  async metricsText(port = this.healthPort, timeoutMs = 2_000): Promise<string> {
    const reply = await get(port, '/metrics', 'GET', timeoutMs);
    if (reply.status !== 200) throw new Error(`GET :${port}/metrics answered ${reply.status}: ${reply.body}`);
    return reply.body;
  }

  /** Our /metrics, parsed. */
  async metrics(): Promise<Map<string, Family>> {
    return parseExposition(await this.metricsText());
  }

  /** Polls /metrics until `probe` gives a value; fails naming `what` with the last page. */
  async metricsUntil<T>(
    what: string,
    probe: (families: Map<string, Family>) => T | false | undefined,
    timeoutMs = 10_000,
  ): Promise<Exclude<T, false | undefined>> {
    const started = performance.now();
    let page = '';
    while (performance.now() - started < timeoutMs) {
      page = await this.metricsText();
      const value = probe(parseExposition(page));
      if (value !== undefined && value !== false) return value as Exclude<T, false | undefined>;
      await sleep(100);
    }
    throw new Error(`/metrics did not show ${what} within ${timeoutMs} ms; last page:\n${page}`);
  }

  /** Polls /health until it reports `status`; returns the milliseconds it took. */
  async waitFor(status: string, timeoutMs: number): Promise<number> {
    const started = performance.now();
    let last: Health | undefined;
    while (performance.now() - started < timeoutMs) {
      last = await this.health();
      if (last.status === status) return performance.now() - started;
      await sleep(100);
    }
    throw new Error(`/health stayed ${last?.status} (not ${status}) for ${timeoutMs} ms; child stderr: ${this.child.stderr}`);
  }

  /** Samples /health every 100 ms for `ms`; returns the statuses seen. */
  async sample(ms: number): Promise<string[]> {
    const seen: string[] = [];
    const started = performance.now();
    while (performance.now() - started < ms) {
      seen.push((await this.health()).status);
      await sleep(100);
    }
    return seen;
  }

  /** Waits until the engine has recorded an event of `eventType` for the task. */
  async event(taskRunExternalId: string, eventType: number, timeoutMs = 10_000): Promise<number> {
    const started = performance.now();
    for (;;) {
      const found = this.engine.eventsOf(taskRunExternalId).find((event) => event.eventType === eventType);
      if (found) return found.at;
      if (performance.now() - started > timeoutMs) {
        throw new Error(`engine got no event ${eventType} for ${taskRunExternalId}; child stderr: ${this.child.stderr}`);
      }
      await sleep(20);
    }
  }

  async close(): Promise<void> {
    if (this.child) {
      this.child.process.kill('SIGKILL');
      await this.child.exited();
    }
    await this.engine.close();
  }
}

/** The labels of a sample line, `{a="b",c="d"}`, as an object. */
export function labelsOf(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [, name, value] of text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
    labels[name!] = value!.replace(/\\(.)/g, '$1');
  return labels;
}

/**
 * The value of the sample of `family` (named `name`: `…_bucket`, `…_count` for a histogram) whose
 * labels are exactly `labels`, or undefined when the page has none.
 */
export function sample(
  families: Map<string, Family>,
  family: string,
  labels: Record<string, string> = {},
  name = family,
): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  return families.get(family)?.samples.find((s) => s.name === name && JSON.stringify(Object.entries(labelsOf(s.labels)).sort()) === want)
    ?.value;
}

/** The sorted HELP, TYPE and sample lines of the named families in a page: comparable line for line. */
export function familyLines(page: string, names: readonly string[]): string[] {
  return page
    .split('\n')
    .filter((line) => names.some((name) => new RegExp(`^(# (HELP|TYPE) )?${name}[ {]`).test(line)))
    .sort();
}

export const STARTED = 1;
export const COMPLETED = 2;
export const FAILED = 3;

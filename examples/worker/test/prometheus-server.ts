// A real Prometheus server for the tests (Debian's `prometheus`), on a loopback port it picks itself, with its
// data in a temporary folder, and the parts of its HTTP API the tests ask.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listeningPort, until, type Child } from '@worker-health/testing';
import type { Processes } from './helpers.js';

/** One series of a query's answer: its labels and its points as [seconds, value]. */
export interface Series {
  metric: Record<string, string>;
  values: Array<[number, number]>;
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  error?: string;
  data: T;
}

export class PrometheusServer {
  private constructor(
    readonly process: Child,
    readonly port: number,
  ) {}

  /** Starts Prometheus with `config` (YAML text) written into `dir`; resolves once it is ready. */
  static async start(processes: Processes, dir: string, config: string): Promise<PrometheusServer> {
    writeFileSync(join(dir, 'prometheus.yml'), config);
    // Port 0, read back from the process: a port picked free up front can be taken before it is bound.
    const child = processes.spawn('prometheus', {}, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--web.listen-address=127.0.0.1:0',
      '--log.level=warn',
    ]);
    const port = await listeningPort(child.process.pid!, 'prometheus').catch((error: Error) =>
      assert.fail(`${error.message}; prometheus stderr: ${child.stderr}`),
    );
    const server = new PrometheusServer(child, port);
    await until(
      'Prometheus to be ready',
      async () => ((await fetch(`http://127.0.0.1:${port}/-/ready`)).ok ? true : undefined),
      30_000,
    ).catch((error: Error) => assert.fail(`${error.message}; prometheus stderr: ${child.stderr}`));
    return server;
  }

  private async get<T>(path: string, params: Record<string, string | number>): Promise<T> {
    const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
    const response = await fetch(`http://127.0.0.1:${this.port}${path}?${query}`);
    const body = (await response.json()) as ApiAnswer<T>;
    assert.equal(body.status, 'success', `${path} ${JSON.stringify(params)}: ${body.error}`);
    return body.data;
  }

  /** An instant query; every series with its one value. */
  async query(expr: string, time?: number): Promise<Array<{ metric: Record<string, string>; value: number }>> {
    const data = await this.get<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>('/api/v1/query', {
      query: expr,
      ...(time === undefined ? {} : { time }),
    });
    return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** A range query, as a Grafana panel makes. */
  async queryRange(expr: string, start: number, end: number, step: number): Promise<Series[]> {
    const data = await this.get<{ result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }>(
      '/api/v1/query_range',
      { query: expr, start, end, step },
    );
    return data.result.map((r) => ({ metric: r.metric, values: r.values.map(([t, v]) => [t, Number(v)] as [number, number]) }));
  }

  /** The values of `label` on the series `match` selects, as Grafana's `label_values(match, label)`. */
  labelValues(label: string, match?: string): Promise<string[]> {
    return this.get<string[]>(`/api/v1/label/${encodeURIComponent(label)}/values`, match ? { 'match[]': match } : {});
  }

  /** The first value of `expr` at the current time, or undefined when it has none. */
  async value(expr: string): Promise<number | undefined> {
    return (await this.query(expr))[0]?.value;
  }
}

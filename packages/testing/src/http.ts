import { Agent, request } from 'node:http';
import { sleep } from './wait.js';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

/** One HTTP request on a fresh connection to 127.0.0.1. */
export function get(port: number, path: string, method = 'GET', timeoutMs = 5_000): Promise<Reply> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export interface LoadReply {
  sentAt: number;
  at: number;
  status: number;
  body: string;
  error?: string;
}

/**
 * `total` GETs of `path` over `concurrency` keep-alive connections, spread
 * evenly over `spreadMs` (0: as fast as possible). Every answer is kept with
 * the wall-clock times it was sent and received, to judge it for its moment.
 */
export async function load(
  port: number,
  path: string,
  total: number,
  concurrency: number,
  spreadMs = 0,
  timeoutMs = 5_000,
): Promise<LoadReply[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const replies: LoadReply[] = [];
  const started = Date.now();
  let next = 0;
  const one = () =>
    new Promise<LoadReply>((resolve) => {
      const sentAt = Date.now();
      const req = request({ host: '127.0.0.1', port, path, agent, timeout: timeoutMs }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ sentAt, at: Date.now(), status: res.statusCode ?? 0, body }));
        res.on('error', (error) => resolve({ sentAt, at: Date.now(), status: 0, body, error: error.message }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) => resolve({ sentAt, at: Date.now(), status: 0, body: '', error: error.message }));
      req.end();
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const due = started + (spreadMs * i) / total;
        if (due > Date.now()) await sleep(due - Date.now());
        replies.push(await one());
      }
    }),
  );
  agent.destroy();
  return replies;
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { setImmediate as turn } from 'node:timers/promises';
import type { HealthState } from '@worker-health/core';
import { checkMaxConnections, SERVER_LIMITS } from '../shared/server-limits.js';

const ALLOW = 'GET, HEAD';
const PATHS = new Set(['/health', '/livez', '/readyz', '/metrics']);
const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The body of `/metrics`: chunks sent in order (shared between responses, never changed). */
export interface MetricsBody {
  readonly chunks: readonly Uint8Array[];
  readonly bytes: number;
}

/** What the server needs: the shared state, and a way to produce `/metrics`. */
export interface HealthServerOptions {
  state: HealthState;
  /** Produces the Prometheus text of `/metrics`; must settle within the scrape deadline. */
  metrics: () => Promise<MetricsBody>;
  /** Called with any error from serving a request (the request is answered 500). */
  onError?: (error: unknown) => void;
  /**
   * Most connections open at once, a whole number of at least 1. A connection
   * arriving at the cap closes the oldest one that has no request in progress
   * (so a fresh probe is answered however many idle clients there are), or is
   * closed itself when every one is busy. Default `SERVER_LIMITS.maxConnections` (256).
   */
  maxConnections?: number;
}

/**
 * The HTTP server of `/health`, `/livez`, `/readyz` and `/metrics`. Paths are
 * matched exactly, without decoding, in origin form or absolute form; only GET
 * and HEAD are served; no response repeats anything of the request. Throws
 * `HealthcheckConfigError` for a bad `maxConnections`.
 */
export function createHealthServer(options: HealthServerOptions): Server {
  const connections = new ConnectionCap(checkMaxConnections(options.maxConnections ?? SERVER_LIMITS.maxConnections));
  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    connections.busy(request.socket, response);
    handle(options, request, response).catch((error: unknown) => {
      options.onError?.(error);
      if (!response.headersSent) send(response, request, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else response.destroy();
    });
  };
  const server = createServer(
    {
      maxHeaderSize: SERVER_LIMITS.maxHeaderSize,
      headersTimeout: SERVER_LIMITS.headersTimeoutMs,
      requestTimeout: SERVER_LIMITS.requestTimeoutMs,
      keepAliveTimeout: SERVER_LIMITS.keepAliveTimeoutMs,
      connectionsCheckingInterval: SERVER_LIMITS.connectionsCheckingIntervalMs,
      // Checked in `handle`, to answer with the same bare 400 as other bad requests.
      requireHostHeader: false,
    },
    onRequest,
  );
  // Node answers an `Expect` other than 100-continue with its own 417 before any handler runs;
  // RFC 9110 §10.1.1 lets a server ignore an expectation it does not know, so it is served as any request.
  server.on('checkExpectation', onRequest);
  server.setTimeout(SERVER_LIMITS.socketTimeoutMs);
  server.on('connection', (socket: Socket) => connections.admit(socket));
  // Without a listener Node drops a CONNECT without an answer.
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    (socket as Socket).setTimeout(SERVER_LIMITS.keepAliveTimeoutMs, () => socket.destroy());
    socket.end(`HTTP/1.1 405 Method Not Allowed\r\nAllow: ${ALLOW}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // Malformed requests: a bare status line, never the parser's message or the input.
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  return server;
}

/**
 * Keeps the open connections at or under the cap. Sets keep insertion order,
 * so the first idle socket found is the oldest.
 */
class ConnectionCap {
  private readonly open = new Set<Socket>();
  /** Requests in progress per socket (more than one when pipelined). */
  private readonly inProgress = new Map<Socket, number>();

  constructor(private readonly max: number) {}

  admit(socket: Socket): void {
    if (this.open.size >= this.max) {
      const idle = this.oldestIdle();
      // Every connection has a request in progress: the newcomer is closed, never one mid-answer.
      if (idle === undefined) {
        socket.destroy();
        return;
      }
      this.open.delete(idle);
      idle.destroy();
    }
    this.open.add(socket);
    socket.once('close', () => {
      this.open.delete(socket);
      this.inProgress.delete(socket);
    });
  }

  busy(socket: Socket, response: ServerResponse): void {
    this.inProgress.set(socket, (this.inProgress.get(socket) ?? 0) + 1);
    response.once('close', () => {
      const left = (this.inProgress.get(socket) ?? 1) - 1;
      if (left > 0) this.inProgress.set(socket, left);
      else this.inProgress.delete(socket);
    });
  }

  private oldestIdle(): Socket | undefined {
    for (const socket of this.open) if (!this.inProgress.has(socket)) return socket;
    return undefined;
  }
}

// RFC 9110 §7.2: uri-host [ ":" port ], where uri-host is an IP literal in brackets or a reg-name (which covers IPv4).
const HOST = /^(?:\[[\w:.~!$&'()*+,;=%-]+\]|[\w.~!$&'()*+,;=%-]*)(?::\d*)?$/;
const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*/i;

/** RFC 9112 §3.2: an HTTP/1.1 request must have exactly one Host, and a valid one. */
function hasValidHost(request: IncomingMessage): boolean {
  const hosts: string[] = [];
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    if (request.rawHeaders[i]!.toLowerCase() === 'host') hosts.push(request.rawHeaders[i + 1]!);
  }
  if (hosts.length > 1) return false;
  if (hosts.length === 0) return request.httpVersionMajor < 1 || (request.httpVersionMajor === 1 && request.httpVersionMinor === 0);
  return HOST.test(hosts[0]!);
}

/** The path of an origin-form target, or of an absolute-form one (RFC 9112 §3.2.2: a server must accept it). */
function targetPath(url: string): string {
  const authority = ABSOLUTE_FORM.exec(url);
  const pathAndQuery = authority ? url.slice(authority[0].length) || '/' : url;
  const query = pathAndQuery.indexOf('?');
  return query === -1 ? pathAndQuery : pathAndQuery.slice(0, query);
}

async function handle(options: HealthServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (!hasValidHost(request)) {
    sendBare400(response);
    return;
  }
  const path = targetPath(request.url ?? '');
  if (!PATHS.has(path)) {
    send(response, request, 404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', ALLOW);
    send(response, request, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  const { state } = options;
  switch (path) {
    case '/health': {
      const status = state.status();
      send(response, request, status === 'HEALTHY' ? 200 : 503, 'application/json', `{"status":"${status}"}`);
      return;
    }
    case '/livez': {
      const stalled = state.isStalled();
      send(response, request, stalled ? 503 : 200, 'text/plain; charset=utf-8', stalled ? 'event loop stalled\n' : 'ok\n');
      return;
    }
    case '/readyz': {
      const ready = state.status() === 'HEALTHY';
      send(response, request, ready ? 200 : 503, 'text/plain; charset=utf-8', ready ? 'ready\n' : 'not ready\n');
      return;
    }
    default:
      await sendBody(response, request, await options.metrics());
  }
}

/**
 * Writes `/metrics` chunk by chunk, waiting for the socket to drain when it is
 * full and giving the event loop a turn after each chunk: a slow or stalled
 * scraper holds references to the shared chunks, not copies, and a large page
 * never means one long task on this thread.
 */
async function sendBody(response: ServerResponse, request: IncomingMessage, body: MetricsBody): Promise<void> {
  response.statusCode = 200;
  response.setHeader('Content-Type', PROMETHEUS_CONTENT_TYPE);
  response.setHeader('Content-Length', body.bytes);
  response.setHeader('Cache-Control', 'no-store');
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  const last = body.chunks.length - 1;
  for (const [i, chunk] of body.chunks.entries()) {
    if (response.destroyed) return;
    if (i === last) break;
    if (!response.write(chunk)) await drained(response);
    // A fast reader drains each write at once, on the same turn (nextTick): without a turn of
    // the event loop between chunks, a whole page would go out in one task and the probes wait.
    await turn();
  }
  // The last chunk (for most pages the only one) goes with the end.
  if (!response.destroyed) response.end(body.chunks[last]);
}

function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done).off('close', done);
      resolve();
    };
    response.on('drain', done).on('close', done);
  });
}

/** The same bytes as the `clientError` answer: status line, `Connection: close`, no body. */
function sendBare400(response: ServerResponse): void {
  response.statusCode = 400;
  response.sendDate = false;
  response.setHeader('Connection', 'close');
  response.setHeader('Content-Length', 0);
  response.end();
}

function send(response: ServerResponse, request: IncomingMessage, status: number, type: string, body: string): void {
  response.statusCode = status;
  response.setHeader('Content-Type', type);
  response.setHeader('Content-Length', Buffer.byteLength(body));
  response.setHeader('Cache-Control', 'no-store');
  response.end(request.method === 'HEAD' ? undefined : body);
}

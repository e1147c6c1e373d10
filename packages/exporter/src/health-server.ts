import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { HealthState } from '@worker-health/core';

/** Server limits, chosen so that idle or slow clients cannot hold the probes up. */
export const SERVER_LIMITS = {
  /** A client must send its whole request head within this many milliseconds (slow senders are cut off). */
  headersTimeoutMs: 5_000,
  /** A whole request must arrive within this many milliseconds. */
  requestTimeoutMs: 10_000,
  /** An idle keep-alive connection is closed after this many milliseconds. */
  keepAliveTimeoutMs: 5_000,
  /** A socket with no traffic at all is closed after this many milliseconds. */
  socketTimeoutMs: 15_000,
  /** Largest request head accepted, in bytes; beyond it the answer is 431. */
  maxHeaderSize: 8_192,
  /** How often the header and request timeouts are enforced (Node's default, 30 s, lets a slow sender linger). */
  connectionsCheckingIntervalMs: 1_000,
} as const;

const ALLOW = 'GET, HEAD';
const PATHS = new Set(['/health', '/livez', '/readyz', '/metrics']);
const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** What the server needs: the shared state, and a way to produce `/metrics`. */
export interface HealthServerOptions {
  state: HealthState;
  /** Produces the Prometheus text of `/metrics`; must settle within the scrape deadline. */
  metrics: () => Promise<string>;
  /** Called with any error from serving a request (the request is answered 500). */
  onError?: (error: unknown) => void;
}

/**
 * The HTTP server of `/health`, `/livez`, `/readyz` and `/metrics`. Paths are
 * matched exactly, without decoding; only GET and HEAD are served; no
 * response repeats anything of the request.
 */
export function createHealthServer(options: HealthServerOptions): Server {
  const server = createServer(
    {
      maxHeaderSize: SERVER_LIMITS.maxHeaderSize,
      headersTimeout: SERVER_LIMITS.headersTimeoutMs,
      requestTimeout: SERVER_LIMITS.requestTimeoutMs,
      keepAliveTimeout: SERVER_LIMITS.keepAliveTimeoutMs,
      connectionsCheckingInterval: SERVER_LIMITS.connectionsCheckingIntervalMs,
    },
    (request, response) => {
      handle(options, request, response).catch((error: unknown) => {
        options.onError?.(error);
        if (!response.headersSent) send(response, request, 500, 'text/plain; charset=utf-8', 'internal error\n');
        else response.destroy();
      });
    },
  );
  server.setTimeout(SERVER_LIMITS.socketTimeoutMs);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // Malformed requests: a bare status line, never the parser's message or the input.
    if (!socket.writable || (error.code === 'ECONNRESET')) {
      socket.destroy();
      return;
    }
    const status =
      error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout'
      : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  return server;
}

async function handle(options: HealthServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = request.url ?? '';
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
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
    default: {
      const text = await options.metrics();
      send(response, request, 200, PROMETHEUS_CONTENT_TYPE, text);
    }
  }
}

function send(response: ServerResponse, request: IncomingMessage, status: number, type: string, body: string): void {
  response.statusCode = status;
  response.setHeader('Content-Type', type);
  response.setHeader('Content-Length', Buffer.byteLength(body));
  response.setHeader('Cache-Control', 'no-store');
  response.end(request.method === 'HEAD' ? undefined : body);
}

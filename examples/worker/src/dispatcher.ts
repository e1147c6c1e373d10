// A small local task dispatcher, standing in for a job engine: workers hold a
// long-lived streaming connection (GET /listen, newline-delimited JSON) and
// receive tasks over it; tasks are submitted with POST /tasks.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { TASK_KINDS, type Task } from './tasks.js';

const PING_MS = 2_000;

export interface Dispatcher {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

export async function startDispatcher(port: number, host = '127.0.0.1', log = (line: string) => console.log(line)): Promise<Dispatcher> {
  const listeners = new Set<ServerResponse>();
  const queue: Task[] = [];
  let nextId = 1;
  let turn = 0;

  const deliver = () => {
    while (queue.length > 0 && listeners.size > 0) {
      const targets = [...listeners];
      const target = targets[turn++ % targets.length]!;
      target.write(`${JSON.stringify({ type: 'task', task: queue.shift() })}\n`);
    }
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://dispatcher');
    if (request.method === 'GET' && url.pathname === '/listen') {
      response.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store' });
      response.write(`${JSON.stringify({ type: 'hello' })}\n`);
      listeners.add(response);
      const ping = setInterval(() => response.write(`${JSON.stringify({ type: 'ping' })}\n`), PING_MS);
      const worker = url.searchParams.get('worker') ?? 'unnamed';
      log(`dispatcher: worker ${worker} connected`);
      response.on('close', () => {
        clearInterval(ping);
        listeners.delete(response);
        log(`dispatcher: worker ${worker} disconnected`);
      });
      deliver();
      return;
    }
    if (request.method === 'POST' && url.pathname === '/tasks') {
      const kind = url.searchParams.get('kind') ?? 'quick';
      const seconds = Number(url.searchParams.get('seconds') ?? (kind === 'block' ? '8' : '0.1'));
      if (!(TASK_KINDS as readonly string[]).includes(kind) || !(seconds >= 0 && seconds <= 600)) {
        reply(response, 400, 'expected kind=quick|block and seconds from 0 to 600\n');
        return;
      }
      const task: Task = { id: nextId++, kind: kind as Task['kind'], seconds };
      queue.push(task);
      deliver();
      reply(response, 202, `${JSON.stringify(task)}\n`);
      return;
    }
    if (request.method === 'POST' && url.pathname === '/results') {
      readBody(request).then(
        (body) => {
          log(`dispatcher: result ${body}`);
          reply(response, 204, '');
        },
        () => reply(response, 400, 'bad body\n'),
      );
      return;
    }
    reply(response, 404, 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as { port: number }).port;
  return {
    server,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        for (const listener of listeners) listener.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(body);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 65_536) request.destroy(new Error('body too large'));
    });
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

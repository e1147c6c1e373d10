// A small local task dispatcher, standing in for a job engine: workers hold a
// long-lived streaming connection (GET /listen, newline-delimited JSON) and
// receive tasks over it; tasks are submitted with POST /tasks (`worker=<name>`
// sends one to that worker only).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { TASK_KINDS, type Task } from './tasks.js';

const PING_MS = 2_000;

export interface Dispatcher {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

export async function startDispatcher(port: number, host = '127.0.0.1', log = (line: string) => console.log(line)): Promise<Dispatcher> {
  // Each open /listen stream, with the name the worker gave.
  const listeners = new Map<ServerResponse, string>();
  const queue: Array<{ task: Task; worker: string | undefined }> = [];
  let nextId = 1;
  let turn = 0;

  // A task addressed to a worker waits for that worker; the others go round-robin to whoever is connected.
  const deliver = () => {
    for (let i = 0; i < queue.length; ) {
      const { task, worker } = queue[i]!;
      const targets = [...listeners].filter(([, name]) => worker === undefined || name === worker).map(([response]) => response);
      if (targets.length === 0) {
        i++;
        continue;
      }
      queue.splice(i, 1);
      targets[turn++ % targets.length]!.write(`${JSON.stringify({ type: 'task', task })}\n`);
    }
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://dispatcher');
    if (request.method === 'GET' && url.pathname === '/listen') {
      response.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store' });
      response.write(`${JSON.stringify({ type: 'hello' })}\n`);
      const worker = url.searchParams.get('worker') ?? 'unnamed';
      listeners.set(response, worker);
      const ping = setInterval(() => response.write(`${JSON.stringify({ type: 'ping' })}\n`), PING_MS);
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
      queue.push({ task, worker: url.searchParams.get('worker') ?? undefined });
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
        for (const listener of listeners.keys()) listener.destroy();
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

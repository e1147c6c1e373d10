import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeHatchetEngine, HeartbeatMode } from '@worker-health/testing/fake-hatchet-engine';

/** `block` holds the event loop for the whole run; `sleep` holds a slot and leaves the loop free. */
export type TaskKind = 'block' | 'sleep';

const TASK_KINDS: readonly string[] = ['block', 'sleep'] satisfies TaskKind[];
const HEARTBEAT_ANSWERS: readonly string[] = ['ok', 'unavailable', 'not-found', 'hang'] satisfies HeartbeatMode[];

/** What the routes act on. */
export interface ExampleRoutesOptions {
  /** The fake engine the example started, or undefined when it is connected to a real one (the `/engine` routes answer 404 then). */
  engine: FakeHatchetEngine | undefined;
  /** Queues one run of the task `kind`; resolves to its run id. */
  queue: (kind: TaskKind, seconds: number) => Promise<string>;
}

const USAGE = [
  'POST /tasks?kind=block&seconds=N          a task that blocks the event loop for N s',
  'POST /tasks?kind=sleep&seconds=N          a task that holds a slot for N s, the event loop free',
  'POST /engine/heartbeats?answer=ANSWER     the fake engine answers heartbeats: ok, unavailable, not-found or hang',
  'POST /engine/break-streams                the fake engine ends every listen stream with UNAVAILABLE',
].join('\n');

/**
 * The example's HTTP routes: tasks to run, and, with the fake engine, what it does to the worker's
 * heartbeats and listen stream (to watch `/health` and the adapter's families follow by hand).
 */
export function exampleRoutes({ engine, queue }: ExampleRoutesOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const answer = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
    const refuse = (status: number, message: string) => res.writeHead(status).end(`${message}\n${USAGE}\n`);
    if (req.method !== 'POST') return refuse(405, `${req.method} ${url.pathname}: only POST is served`);

    if (url.pathname === '/tasks') {
      const kind = url.searchParams.get('kind') ?? '';
      const rawSeconds = url.searchParams.get('seconds') ?? '8';
      const seconds = Number(rawSeconds);
      if (!TASK_KINDS.includes(kind)) return refuse(400, `kind=${JSON.stringify(kind)} is not valid: expected ${TASK_KINDS.join(' or ')}`);
      if (!(seconds > 0 && seconds <= 3600)) {
        return refuse(400, `seconds=${JSON.stringify(rawSeconds)} is not valid: expected a number of seconds above 0, at most 3600`);
      }
      queue(kind as TaskKind, seconds).then(
        (id) => answer(202, { queued: id, kind, seconds }),
        (error: Error) => refuse(502, error.message),
      );
      return;
    }
    if (url.pathname === '/engine/heartbeats' || url.pathname === '/engine/break-streams') {
      if (!engine)
        return refuse(404, `${url.pathname}: no fake engine here, the worker is connected to the engine of HATCHET_CLIENT_TOKEN`);
      if (url.pathname === '/engine/break-streams') {
        const broken = engine.openStreams;
        engine.breakStreams();
        return answer(200, { broken });
      }
      const heartbeats = url.searchParams.get('answer') ?? '';
      if (!HEARTBEAT_ANSWERS.includes(heartbeats)) {
        return refuse(400, `answer=${JSON.stringify(heartbeats)} is not valid: expected ${HEARTBEAT_ANSWERS.join(', ')}`);
      }
      engine.heartbeatMode = heartbeats as HeartbeatMode;
      return answer(200, { heartbeats });
    }
    refuse(404, `no route ${url.pathname}`);
  };
}

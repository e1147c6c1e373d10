import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { createServer, ServerError, Status, type Server } from 'nice-grpc';

/**
 * How the fake engine answers heartbeats: `ok`; `unavailable` and `not-found` fail with that gRPC
 * status (the SDK treats UNAVAILABLE as transient, NOT_FOUND not); `hang` never answers.
 */
export type HeartbeatMode = 'ok' | 'unavailable' | 'not-found' | 'hang';

export interface RecordedEvent {
  eventType: number;
  taskRunExternalId: string;
  at: number;
}

interface OpenStream {
  push(action: Record<string, unknown>): void;
  fail(): void;
}

type Definition = { name: string; methods: Record<string, unknown> };

/**
 * A Hatchet engine for tests and the Hatchet example, on loopback: the
 * Dispatcher and v1 AdminService gRPC services built from the SDK's own
 * generated definitions (so the wire format is the SDK's), and the two REST
 * routes a worker calls.
 */
export class FakeHatchetEngine {
  grpcPort = 0;
  httpPort = 0;
  heartbeatMode: HeartbeatMode = 'ok';
  /** Whether new ListenV2 calls are answered UNAVAILABLE. */
  refuseListen = false;
  readonly tenantId = '707d0855-80ab-4e1f-a156-f1c4546cbf52';
  readonly workerId = 'b8a3bb25-ee42-4bd0-9c4b-0ec6e8eb0bd0';
  /** Heartbeats answered. */
  heartbeats = 0;
  /** Heartbeats refused (`unavailable`, `not-found`). */
  heartbeatsRefused = 0;
  registrations = 0;
  listenCalls = 0;
  /** Action ids the worker registered. */
  actions: string[] = [];
  readonly events: RecordedEvent[] = [];
  readonly paused: string[] = [];
  /** Called with each STARTED/COMPLETED/FAILED report the worker sends. Default: none. */
  onEvent: ((event: RecordedEvent) => void) | undefined;
  private readonly streams = new Set<OpenStream>();
  private grpc: Server | undefined;
  private http: HttpServer | undefined;
  private nextTask = 0;
  private readonly assigned = new Map<string, Record<string, unknown>>();

  /**
   * `sdk`: the package name the SDK is installed as (`@hatchet-dev/typescript-sdk`, or an alias),
   * resolved from `resolveFrom` (the caller's `import.meta.url`): its generated definitions are served.
   */
  constructor(
    private readonly sdk: string,
    private readonly resolveFrom: string | URL,
  ) {}

  /** A JWT the SDK accepts: it only decodes the claims. */
  get token(): string {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = {
      sub: this.tenantId,
      server_url: `http://127.0.0.1:${this.httpPort}`,
      grpc_broadcast_address: `127.0.0.1:${this.grpcPort}`,
    };
    return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.${Buffer.from('fake').toString('base64url')}`;
  }

  get openStreams(): number {
    return this.streams.size;
  }

  async start(grpcPort = 0): Promise<void> {
    const require = createRequire(this.resolveFrom);
    const { DispatcherDefinition } = require(`${this.sdk}/protoc/dispatcher`) as { DispatcherDefinition: Definition };
    const { AdminServiceDefinition } = require(`${this.sdk}/protoc/v1/workflows`) as { AdminServiceDefinition: Definition };
    const grpc = createServer();
    grpc.add(DispatcherDefinition as never, this.implement(DispatcherDefinition, this.dispatcher()) as never);
    grpc.add(AdminServiceDefinition as never, this.implement(AdminServiceDefinition, this.admin()) as never);
    this.grpcPort = await grpc.listen(`127.0.0.1:${grpcPort}`);
    this.grpc = grpc;
    if (!this.http) {
      this.http = createHttpServer((req, res) => this.rest(req.method ?? '', req.url ?? '', res));
      await new Promise<void>((resolve) => this.http!.listen(0, '127.0.0.1', resolve));
      this.httpPort = (this.http.address() as AddressInfo).port;
    }
  }

  /** Stops the gRPC server (all calls end UNAVAILABLE at the client); `start(grpcPort)` brings it back. */
  async stopGrpc(): Promise<void> {
    for (const stream of this.streams) stream.fail();
    // forceShutdown: a hanging heartbeat must not hold the stop.
    this.grpc?.forceShutdown();
    this.grpc = undefined;
  }

  async close(): Promise<void> {
    await this.stopGrpc();
    this.http?.closeAllConnections();
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
    this.http = undefined;
  }

  /** Ends every open listen stream with UNAVAILABLE, as an engine restart or a dropped connection does. */
  breakStreams(): void {
    for (const stream of this.streams) stream.fail();
  }

  /** Cancels a task run assigned earlier (a CANCEL_STEP_RUN action on every open stream). */
  cancel(taskRunExternalId: string): void {
    const assigned = this.assigned.get(taskRunExternalId);
    if (!assigned) throw new Error(`fake engine: no task run ${taskRunExternalId} was assigned`);
    for (const stream of this.streams) stream.push({ ...assigned, actionType: 1, actionPayload: '' });
  }

  /** Assigns a task run of `actionId` (an id the worker registered, or its task name) on every open stream. */
  assign(task: string, input: unknown = {}): string {
    const actionId = this.actions.find((id) => id === task || id.endsWith(`:${task}`)) ?? task;
    const taskRunExternalId = `00000000-0000-4000-8000-${String(++this.nextTask).padStart(12, '0')}`;
    const [workflowName = actionId, taskName = actionId] = actionId.split(':');
    const action = {
      tenantId: this.tenantId,
      workflowRunId: `10000000-0000-4000-8000-${String(this.nextTask).padStart(12, '0')}`,
      getGroupKeyRunId: '',
      jobId: 'job',
      jobName: workflowName,
      jobRunId: 'job-run',
      taskId: taskRunExternalId,
      taskRunExternalId,
      actionId,
      actionType: 0,
      actionPayload: JSON.stringify({ input }),
      taskName,
      retryCount: 0,
      priority: 1,
    };
    this.assigned.set(taskRunExternalId, action);
    for (const stream of this.streams) stream.push(action);
    return taskRunExternalId;
  }

  eventsOf(taskRunExternalId: string): RecordedEvent[] {
    return this.events.filter((event) => event.taskRunExternalId === taskRunExternalId);
  }

  private implement(definition: Definition, implemented: Record<string, unknown>): Record<string, unknown> {
    const all: Record<string, unknown> = {};
    for (const name of Object.keys(definition.methods)) {
      all[name] =
        implemented[name] ??
        (() => {
          throw new ServerError(Status.UNIMPLEMENTED, `fake engine: ${definition.name}.${name}`);
        });
    }
    return all;
  }

  private dispatcher(): Record<string, unknown> {
    const response = () => ({ tenantId: this.tenantId, workerId: this.workerId });
    return {
      getVersion: async () => ({ version: 'v0.78.23' }),
      register: async (request: { actions?: string[] }) => {
        this.registrations += 1;
        this.actions = request.actions ?? [];
        return { ...response(), workerName: 'fake' };
      },
      listenV2: (_request: unknown, context: { signal: AbortSignal }) => this.listen(context.signal),
      heartbeat: async (_request: unknown, context: { signal: AbortSignal }) => {
        if (this.heartbeatMode === 'unavailable' || this.heartbeatMode === 'not-found') {
          this.heartbeatsRefused += 1;
          if (this.heartbeatMode === 'unavailable') throw new ServerError(Status.UNAVAILABLE, 'fake engine: heartbeats refused');
          throw new ServerError(Status.NOT_FOUND, 'fake engine: worker not found');
        }
        if (this.heartbeatMode === 'hang') {
          await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
          throw new ServerError(Status.CANCELLED, 'fake engine: heartbeat abandoned');
        }
        this.heartbeats += 1;
        return {};
      },
      sendStepActionEvent: async (request: { eventType: number; taskRunExternalId: string }) => {
        const event = { eventType: request.eventType, taskRunExternalId: request.taskRunExternalId, at: performance.now() };
        this.events.push(event);
        this.onEvent?.(event);
        return response();
      },
      unsubscribe: async () => response(),
      upsertWorkerLabels: async () => response(),
    };
  }

  private admin(): Record<string, unknown> {
    return { putWorkflow: async () => ({ id: 'workflow-version', workflowId: 'workflow' }) };
  }

  private async *listen(signal: AbortSignal): AsyncGenerator<Record<string, unknown>> {
    this.listenCalls += 1;
    if (this.refuseListen) throw new ServerError(Status.UNAVAILABLE, 'fake engine: listen refused');
    const queue: Array<Record<string, unknown>> = [];
    let failed = false;
    let wake: (() => void) | undefined;
    const stream: OpenStream = {
      push: (action) => {
        queue.push(action);
        wake?.();
      },
      fail: () => {
        failed = true;
        wake?.();
      },
    };
    const onAbort = () => wake?.();
    signal.addEventListener('abort', onAbort);
    this.streams.add(stream);
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (failed) throw new ServerError(Status.UNAVAILABLE, 'fake engine: stream broken');
        if (signal.aborted) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.streams.delete(stream);
    }
  }

  private rest(method: string, url: string, res: import('node:http').ServerResponse): void {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const tenant = /^\/api\/v1\/tenants\/([^/?]+)/.exec(url);
    if (method === 'GET' && tenant) {
      send(200, { metadata: { id: tenant[1] }, name: 'fake', slug: 'fake', version: 'V1' });
      return;
    }
    const worker = /^\/api\/v1\/workers\/([^/?]+)/.exec(url);
    if (method === 'PATCH' && worker) {
      this.paused.push(worker[1]!);
      send(200, { metadata: { id: worker[1] }, name: 'fake', status: 'PAUSED' });
      return;
    }
    send(404, { errors: [{ description: `fake engine: no route ${method} ${url}` }] });
  }
}

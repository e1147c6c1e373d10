import { EventEmitter } from 'node:events';

/** A listen stream the test feeds: actions pushed are what the SDK would read off the wire. */
export class FakeStream implements AsyncIterable<Record<string, unknown>> {
  private readonly queue: Array<Record<string, unknown>> = [];
  private wake: (() => void) | undefined;
  private ended = false;

  push(action: Record<string, unknown>): void {
    this.queue.push(action);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Record<string, unknown>> {
    for (;;) {
      while (this.queue.length > 0) yield this.queue.shift()!;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

/**
 * A stand-in for the SDK's objects, reporting `version`, with every hook point and metric source
 * `watchHatchetWorker` uses where SDK 1.21–1.33 keep them. `start()` does what the SDK's worker
 * does with them: registers (getActionListener), starts the heartbeat thread, reads the stream.
 */
export function fakeSdk(version: string) {
  const stream = new FakeStream();
  const heartbeatThread = new EventEmitter();
  const events: Array<{ eventType: number; taskRunExternalId: string }> = [];
  const dispatcher = {
    getRuntimeInfo: () => ({ sdkVersion: version }),
    client: { listenV2: () => stream },
    getActionListener: async () => {
      const heartbeat = {
        heartbeatWorker: undefined as EventEmitter | undefined,
        async start() {
          this.heartbeatWorker = heartbeatThread;
        },
      };
      return { heartbeat };
    },
    sendStepActionEvent: async (event: { eventType: number; taskRunExternalId: string }) => {
      events.push(event);
    },
  };
  const internal: Record<string, unknown> = {
    status: 'INITIALIZED',
    slotConfig: { default: 3 },
    contexts: {},
    durable_action_set: new Set<string>(),
    getAvailableSlots: () => 3,
    getRegisteredActions: () => ['fake:quick'],
    exitGracefully: async () => {
      internal.status = 'UNHEALTHY';
    },
  };
  let reading: Promise<void> | undefined;
  const worker = {
    _internal: internal,
    async start() {
      const listener = (await dispatcher.getActionListener()) as { heartbeat: { start(): Promise<void> } };
      internal.listener = listener;
      internal.status = 'HEALTHY';
      await listener.heartbeat.start();
      reading = (async () => {
        for await (const action of dispatcher.client.listenV2() as AsyncIterable<Record<string, unknown>>) void action;
      })();
    },
    async stop() {
      await (internal.exitGracefully as () => Promise<void>)();
      stream.end();
      await reading;
    },
  };
  /** Posts what the SDK's heartbeat thread posts around one answered beat. */
  const beat = () => {
    heartbeatThread.emit('message', { type: 'debug', message: 'Heartbeat sending...' });
    heartbeatThread.emit('message', { type: 'debug', message: 'Heartbeat sent 4001ms ago' });
  };
  return { hatchet: { dispatcher }, worker, internal, stream, events, beat, heartbeatThread };
}

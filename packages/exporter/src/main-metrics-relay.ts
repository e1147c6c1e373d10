/** The main thread's metrics text and when it was produced. */
export interface MainMetricsSnapshot {
  text: string;
  /** `process.hrtime.bigint()` when it arrived. */
  at: bigint;
}

/**
 * Health-thread side of `/metrics`: asks the main thread for its metrics and
 * waits at most `timeoutMs`. When the main thread is blocked, the last
 * snapshot is served instead. Requests are coalesced: at most one is in
 * flight, so a stall does not queue one collection per scrape.
 */
export class MainMetricsRelay {
  private nextId = 1;
  private inFlight: { id: number; sentAt: bigint; done: Promise<void>; resolve: () => void } | undefined;
  private last: MainMetricsSnapshot | undefined;

  constructor(
    private readonly request: (id: number) => void,
    private readonly timeoutMs: number,
  ) {}

  /** The main thread's answer to request `id`; `null` when it failed to collect (the last snapshot stays). */
  receive(id: number, text: string | null): void {
    if (this.inFlight?.id !== id) return;
    if (text !== null) this.last = { text, at: process.hrtime.bigint() };
    const { resolve } = this.inFlight;
    this.inFlight = undefined;
    resolve();
  }

  /** A fresh snapshot when the main thread answers in time, else the last one (possibly none). */
  async get(): Promise<MainMetricsSnapshot | undefined> {
    const now = process.hrtime.bigint();
    let flight = this.inFlight;
    if (!flight) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      flight = this.inFlight = { id: this.nextId++, sentAt: now, done, resolve };
      this.request(flight.id);
    }
    const waitedMs = Number(now - flight.sentAt) / 1e6;
    // A request older than the deadline means the main thread is stalled: do not wait again.
    if (waitedMs < this.timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((r) => (timer = setTimeout(r, this.timeoutMs - waitedMs)));
      await Promise.race([flight.done, timeout]);
      clearTimeout(timer);
    }
    return this.last;
  }
}

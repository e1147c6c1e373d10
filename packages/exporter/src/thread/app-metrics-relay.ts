/** What the relay serves, with the time its content was collected. */
export interface Collected {
  /** `process.hrtime.bigint()` when the main thread began the collection. */
  collectedAt: bigint;
}

/**
 * Health-thread side of the application's metrics: asks the main thread to
 * collect them and waits at most `timeoutMs`. When the main thread is late
 * (blocked, or a slow reader), the newest collection that did complete is
 * served, and its `collectedAt` says how old it is. Requests are coalesced: at
 * most one is in flight, so neither a stall nor a slow reader queues one
 * collection per scrape.
 */
export class AppMetricsRelay<T extends Collected> {
  private nextId = 1;
  private inFlight: { id: number; sentAt: bigint; expired: boolean; done: Promise<void>; resolve: () => void } | undefined;
  private last: T | undefined;

  constructor(
    private readonly request: (id: number) => void,
    private readonly timeoutMs: number,
  ) {}

  /** The main thread's answer to request `id`; `null` when it failed to collect (the last one stays). */
  receive(id: number, collected: T | null): void {
    if (this.inFlight?.id !== id) return;
    if (collected !== null && (this.last === undefined || collected.collectedAt > this.last.collectedAt)) this.last = collected;
    const { resolve } = this.inFlight;
    this.inFlight = undefined;
    resolve();
  }

  /** A fresh collection when the main thread answers in time, else the newest one (possibly none). */
  async get(): Promise<T | undefined> {
    const now = process.hrtime.bigint();
    let flight = this.inFlight;
    if (!flight) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      flight = this.inFlight = { id: this.nextId++, sentAt: now, expired: false, done, resolve };
      this.request(flight.id);
    }
    const waitedMs = Number(now - flight.sentAt) / 1e6;
    // A request older than the deadline means the main thread is late: do not wait again. A timer
    // may fire a little before the deadline by this clock (libuv counts whole milliseconds from a
    // time it caches at each turn of the loop), so one that fired marks the deadline as reached.
    if (!flight.expired && waitedMs < this.timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const waited = flight;
      const timeout = new Promise<void>(
        (r) =>
          (timer = setTimeout(() => {
            waited.expired = true;
            r();
          }, this.timeoutMs - waitedMs)),
      );
      await Promise.race([flight.done, timeout]);
      clearTimeout(timer);
    }
    return this.last;
  }
}

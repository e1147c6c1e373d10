import { write } from 'node:fs';

/** Most lines waiting for standard error at once; past it new lines are dropped (and counted in the next one written). */
const MAX_WAITING = 64;

/**
 * Writes lines to file descriptor 2 from this thread, without the main
 * thread: a worker's `console` and `process.stderr` are relayed by the main
 * thread, which is the one that is blocked. The writes go through libuv's
 * thread pool, so a stderr pipe that nobody reads never holds up this
 * thread's event loop (and so never a probe); what cannot wait is dropped.
 */
export class StderrLines {
  private waiting = 0;
  private dropped = 0;

  write(line: string): void {
    if (this.waiting >= MAX_WAITING) {
      this.dropped++;
      return;
    }
    const text =
      this.dropped > 0
        ? `${JSON.stringify({ msg: `${this.dropped} report lines dropped: standard error was not taking them` })}\n${line}\n`
        : `${line}\n`;
    this.dropped = 0;
    this.waiting++;
    write(2, text, () => {
      this.waiting--;
    });
  }
}

// The HTTP server's limits: applied in the health thread, checked and exported on the main thread.
import { checkNumber } from '@worker-health/core';

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
  /**
   * Most connections open at once (each holds a file descriptor): a quarter of
   * the 1024-descriptor limit common in containers, so idle clients cannot take
   * the descriptors the application needs. Probes and scrapers need a handful.
   */
  maxConnections: 256,
} as const;

/** Checks a connection cap: a whole number of at least 1. Returns it. */
export function checkMaxConnections(value: unknown): number {
  return checkNumber('maxConnections', value, 'a whole number of connections, at least 1', {
    integer: true,
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
  });
}

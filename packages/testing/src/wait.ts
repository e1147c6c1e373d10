import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it gives a value other than undefined (a throw counts as undefined). */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/**
 * A port that was free a moment ago on 127.0.0.1, for a server that must be told its port up front
 * (where a server can bind port 0 and say its port, let it). Picked below the kernel's ephemeral range
 * (Linux: /proc/sys/net/ipv4/ip_local_port_range): a port from that range, as `listen(0)` gives, can
 * be taken before the server binds it by any outgoing connection on the machine, such as another
 * test process's gRPC or HTTP client.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  if (low !== undefined && low > FIXED_LOW + 1_000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = FIXED_LOW + Math.floor(Math.random() * (low - FIXED_LOW));
      if (await canListen(port)) return port;
    }
  }
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Below this, ports that services on a development machine use (Prometheus's 9090, the 8001 of the healthcheck). */
const FIXED_LOW = 10_000;

function ephemeralLow(): number | undefined {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) ? low : undefined;
  } catch {
    return undefined;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

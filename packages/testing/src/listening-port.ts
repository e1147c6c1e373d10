import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { until } from './wait.js';

/**
 * The TCP ports process `pid` listens on (Linux: its socket descriptors matched with the listening
 * sockets of /proc/net/tcp and tcp6), lowest first. A process gone or unreadable listens on none.
 */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const socket = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (socket) inodes.add(socket[1]!);
      } catch {
        // the descriptor was closed between the listing and the read
      }
    }
  } catch {
    return [];
  }
  const ports = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A' || !inodes.has(fields[9]!)) continue; // 0A: LISTEN
      ports.add(Number.parseInt(fields[1]!.split(':')[1]!, 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/**
 * Waits until process `pid` listens on exactly one TCP port and resolves it: for a server started on
 * port 0 that does not say which port it got (Prometheus), so that no port is picked up front, where
 * another process can take it before it is bound.
 */
export async function listeningPort(pid: number, what: string, timeoutMs = 30_000): Promise<number> {
  const ports = await until(
    `${what} to listen on a port`,
    async () => {
      const ports = listeningPorts(pid);
      return ports.length ? ports : undefined;
    },
    timeoutMs,
  );
  if (ports.length > 1) throw new Error(`${what} listens on ${ports.length} ports (${ports.join(', ')}); expected one`);
  return ports[0]!;
}

import { connect } from 'node:net';

export interface RawReply {
  /** What the server sent, as latin1, up to the end of its first response or the close. */
  text: string;
  /** The status code of the first response line, 0 if there was none. */
  status: number;
  /** Milliseconds from the start to the connection, to the first byte of the answer, and to its end. */
  connectMs: number;
  firstByteMs: number;
  ms: number;
  /** Set when the exchange failed: the error's code or message, or `timeout`. A reset after an answer is not a failure. */
  error?: string;
}

export interface RawRequestOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 5 000 ms. */
  timeoutMs?: number;
}

/**
 * Writes `bytes` on a fresh connection (no HTTP client: nothing parses, nothing is added) and times
 * the answer. It ends when the first response is complete by its Content-Length, or when the server
 * ends or resets the connection. Resolves in every case; a failure is in `error`.
 */
export function rawRequest(
  port: number,
  bytes: string | Buffer,
  { host = '127.0.0.1', timeoutMs = 5_000 }: RawRequestOptions = {},
): Promise<RawReply> {
  const started = performance.now();
  let connectMs = NaN;
  let firstByteMs = NaN;
  let text = '';
  return new Promise((resolve) => {
    const socket = connect({ host, port, noDelay: true });
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      socket.destroy();
      const status = /^HTTP\/\d\.\d (\d{3})/.exec(text);
      resolve({
        text,
        status: status ? Number(status[1]) : 0,
        connectMs,
        firstByteMs,
        ms: performance.now() - started,
        ...(error ? { error } : {}),
      });
    };
    socket.setEncoding('latin1');
    socket.setTimeout(timeoutMs, () => finish('timeout'));
    socket.on('connect', () => {
      connectMs = performance.now() - started;
      socket.write(bytes);
    });
    socket.on('data', (chunk: string) => {
      if (text === '') firstByteMs = performance.now() - started;
      text += chunk;
      const headEnd = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, headEnd));
      if (headEnd !== -1 && length && text.length - headEnd - 4 >= Number(length[1])) finish();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code === 'ECONNRESET' ? undefined : (error.code ?? error.message)));
  });
}

/** Sends raw bytes; resolves what the server sends back, up to the end of its first response or the close. */
export async function raw(port: number, bytes: string | Buffer, timeoutMs = 5_000): Promise<string> {
  const reply = await rawRequest(port, bytes, { timeoutMs });
  if (reply.error) throw new Error(`raw request to port ${port} failed: ${reply.error}`);
  return reply.text;
}

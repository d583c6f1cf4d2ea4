/** Raw-socket HTTP exchanges, where an HTTP client would clean the input up (tests and corpus runs). */
import { connect } from 'node:net';

export interface RawResult {
  readonly response: string;
  /** The server closed the connection (rather than our timeout ending the wait). */
  readonly closedByServer: boolean;
}

export function rawExchange(
  host: string,
  port: number,
  payload: string | Buffer,
  waitMs = 5000,
): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let response = '';
    let settled = false;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ response, closedByServer });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (d) => {
      response += d.toString('latin1');
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
  });
}

export const statusOf = (response: string): number =>
  Number(/^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1] ?? 0);

/** The body of a raw HTTP/1.1 response, de-chunked when needed. */
export function bodyOf(response: string): string {
  const split = response.indexOf('\r\n\r\n');
  const head = response.slice(0, split);
  let body = response.slice(split + 4);
  if (!/\r\ntransfer-encoding: chunked/i.test(head)) return body;
  let out = '';
  for (;;) {
    const nl = body.indexOf('\r\n');
    const size = Number.parseInt(body.slice(0, nl), 16);
    if (!(size > 0)) return out;
    out += body.slice(nl + 2, nl + 2 + size);
    body = body.slice(nl + 2 + size + 2);
  }
}

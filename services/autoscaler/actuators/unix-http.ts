/**
 * A small JSON client for HTTP over a Unix socket (the runner's control socket, the Docker Engine
 * API), with a deadline per request. A non-2xx answer rejects with the server's message.
 */
import { request } from 'node:http';

export interface UnixReply {
  readonly status: number;
  readonly body: unknown;
}

export class UnixHttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'UnixHttpError';
    this.status = status;
  }
}

const messageOf = (body: unknown, status: number): string => {
  const b = body as { error?: unknown; message?: unknown } | null;
  const text = b?.error ?? b?.message;
  return typeof text === 'string' ? text : `answered ${status}`;
};

export function unixJson(
  socketPath: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: { readonly body?: unknown; readonly timeoutMs: number },
): Promise<UnixReply> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method,
        path,
        timeout: options.timeoutMs,
        headers: {
          host: 'localhost',
          ...(payload === undefined
            ? {}
            : {
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(payload),
              }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          let body: unknown = null;
          try {
            body = text === '' ? null : JSON.parse(text);
          } catch {
            body = { message: text.slice(0, 200) };
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve({ status, body });
          else reject(new UnixHttpError(status, `${method} ${path}: ${messageOf(body, status)}`));
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`${method} ${path}: no answer in ${options.timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * One simulated browser for the mixed load: a cookie jar and a `send` that never throws on an HTTP
 * status. An answer other than 2xx/3xx is reduced to its JSON error code (`not-json` when the body
 * is not the product's error shape); a request that got no answer reports the network error code.
 */
import { type Dispatcher, type FormData, request } from 'undici';

export interface Answer {
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  /** The JSON error code of a 4xx/5xx, or the network error code. */
  readonly code: string;
  readonly text: string;
}

/**
 * How long the load waits for an answer: longer than the LB's response timeout (30 s), so a request
 * hung at a paused backend ends as the LB's 504, as a browser (which waits minutes) would see it,
 * not as the load giving up at the same moment.
 */
export const CLIENT_TIMEOUT_MS = 40_000;

export interface SendOptions {
  readonly json?: unknown;
  readonly form?: FormData;
  readonly idempotencyKey?: string;
  /** Send no cookies (an anonymous visitor). */
  readonly anonymous?: boolean;
  readonly timeoutMs?: number;
}

export function errorCodeOf(status: number, text: string): string {
  if (status < 400) return '';
  try {
    return (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? 'no-code';
  } catch {
    return 'not-json';
  }
}

export class Browser {
  readonly cookies = new Map<string, string>();
  readonly #entry: string;
  readonly #dispatcher: Dispatcher;

  constructor(entry: string, dispatcher: Dispatcher) {
    this.#entry = entry;
    this.#dispatcher = dispatcher;
  }

  remember(setCookie: string | string[] | undefined): void {
    for (const line of [setCookie ?? []].flat()) {
      const pair = line.split(';')[0] ?? '';
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || /max-age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async send(method: string, path: string, o: SendOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (!o.anonymous && this.cookies.size > 0)
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (o.json !== undefined) headers['content-type'] = 'application/json';
    if (o.idempotencyKey !== undefined) headers['idempotency-key'] = o.idempotencyKey;
    const timeout = o.timeoutMs ?? CLIENT_TIMEOUT_MS;
    try {
      const response = await request(new URL(path, this.#entry), {
        method: method as Dispatcher.HttpMethod,
        headers,
        body: o.form ?? (o.json === undefined ? undefined : JSON.stringify(o.json)),
        dispatcher: this.#dispatcher,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      if (!o.anonymous) this.remember(response.headers['set-cookie']);
      const text = await response.body.text();
      return { status: response.statusCode, code: errorCodeOf(response.statusCode, text), text };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return { status: 0, code: typeof code === 'string' ? code : (error as Error).name, text: '' };
    }
  }

  /** The raw bytes at `path` (for reading uploads back), or the status when it is not 200. */
  async bytes(path: string): Promise<{ status: number; body: Buffer }> {
    const response = await request(new URL(path, this.#entry), {
      dispatcher: this.#dispatcher,
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    });
    const body = Buffer.from(await response.body.arrayBuffer());
    return { status: response.statusCode, body };
  }
}

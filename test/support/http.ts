/**
 * A small HTTP client for tests: JSON and multipart bodies, a cookie jar per client (so a test can
 * act as one browser: cookies expire after their Max-Age), every response's headers and status
 * kept, nothing thrown on 4xx/5xx.
 */
import { Agent, type Dispatcher, type FormData, request } from 'undici';

export interface Reply<T = unknown> {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: T;
  readonly raw: Buffer;
}

export interface SendOptions {
  readonly json?: unknown;
  readonly form?: FormData;
  readonly body?: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

const header = (headers: Reply['headers'], name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

export class Client {
  readonly base: string;
  readonly cookies = new Map<string, string>();
  /** When each cookie with Max-Age stops being sent (ms since epoch), as a browser would. */
  readonly #expires = new Map<string, number>();
  readonly #dispatcher: Dispatcher | undefined;

  constructor(base: string, options: { ca?: string | Buffer | (string | Buffer)[] } = {}) {
    this.base = base;
    this.#dispatcher = options.ca ? new Agent({ connect: { ca: options.ca } }) : undefined;
  }

  async send<T = unknown>(
    method: string,
    path: string,
    options: SendOptions = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Buffer | FormData | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    if (options.form) body = options.form;
    for (const [name, at] of this.#expires) {
      if (at <= Date.now()) {
        this.cookies.delete(name);
        this.#expires.delete(name);
      }
    }
    if (this.cookies.size > 0 && headers.cookie === undefined) {
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    const response = await request(new URL(path, this.base), {
      method: method as Dispatcher.HttpMethod,
      headers,
      body,
      ...(this.#dispatcher ? { dispatcher: this.#dispatcher } : {}),
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const raw = Buffer.from(await response.body.arrayBuffer());
    this.#remember(response.headers['set-cookie']);
    const type = header(response.headers, 'content-type') ?? '';
    const parsed =
      type.includes('json') && raw.length > 0
        ? JSON.parse(raw.toString('utf8'))
        : raw.toString('utf8');
    return { status: response.statusCode, headers: response.headers, body: parsed as T, raw };
  }

  get<T = unknown>(path: string, options?: SendOptions) {
    return this.send<T>('GET', path, options);
  }

  post<T = unknown>(path: string, options?: SendOptions) {
    return this.send<T>('POST', path, options);
  }

  delete<T = unknown>(path: string, options?: SendOptions) {
    return this.send<T>('DELETE', path, options);
  }

  #remember(setCookie: string | string[] | undefined): void {
    for (const line of [setCookie ?? []].flat()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a),
      );
      const maxAge = attributes.map((a) => /^\s*max-age=(\d+)\s*$/i.exec(a)?.[1]).find(Boolean);
      this.#expires.delete(name);
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
      if (maxAge !== undefined && !expired)
        this.#expires.set(name, Date.now() + Number(maxAge) * 1000);
    }
  }
}

export const headerOf = (reply: Reply, name: string): string | undefined =>
  header(reply.headers, name);

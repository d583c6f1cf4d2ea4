/**
 * The generator's HTTP side: one undici Agent per worker thread (keep-alive connections to the
 * entry, the LB's development CA trusted), a cookie jar per virtual user, and one exchange with a
 * deadline that always consumes the body.
 */
import { Agent, request } from 'undici';

export interface RequestSpec {
  readonly label: string;
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Another origin (e.g. the CDN) instead of the entry. */
  readonly origin?: string;
}

export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export function makeAgent(connections: number, ca: string | undefined, timeoutMs: number): Agent {
  return new Agent({
    connections,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 30_000,
    connect: { ...(ca ? { ca } : {}), timeout: Math.min(timeoutMs, 5000) },
  });
}

/** Cookies a virtual user holds (the session cookie and the LB's sticky cookie). */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  store(setCookie: string | string[] | undefined): void {
    for (const line of setCookie === undefined ? [] : [setCookie].flat()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
}

export async function exchange(
  agent: Agent,
  origin: string,
  spec: RequestSpec,
  jar?: CookieJar,
): Promise<Reply> {
  const cookie = jar?.header();
  const response = await request(new URL(spec.path, spec.origin ?? origin), {
    dispatcher: agent,
    method: spec.method,
    headers: { ...spec.headers, ...(cookie ? { cookie } : {}) },
    ...(spec.body === undefined ? {} : { body: spec.body }),
  });
  const body = Buffer.from(await response.body.arrayBuffer());
  jar?.store(response.headers['set-cookie']);
  return { status: response.statusCode, headers: response.headers, body };
}

export const json = (body: Buffer): unknown => {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
};

/**
 * A steady mixed load through the LB for fault drills: logged-in users reading the feed and posts
 * (read-API pool), writing posts with an Idempotency-Key (write-API pool) and reading their cart
 * (web pool), each with its own cookie jar. Every answer is recorded (time, kind, status, error
 * code), so a drill can count what failed, when, and how long the stack took to recover.
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { Agent, request } from 'undici';

export type Kind = 'feed' | 'read' | 'write' | 'cart';

export interface Outcome {
  /** ms since the load started. */
  readonly at: number;
  readonly kind: Kind;
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  /** The JSON error code of a 4xx/5xx, or the network error code. */
  readonly code: string;
  readonly ms: number;
}

export interface MixedLoad {
  /** ms since the load started. */
  now(): number;
  readonly outcomes: Outcome[];
  /** Stops the loops and waits for the requests in flight. */
  stop(): Promise<Outcome[]>;
}

export interface LoadOptions {
  readonly entry: string;
  readonly ca: Buffer;
  /** Concurrent users (default 6). */
  readonly users?: number;
  /** Pause between a user's requests (default 20 ms). */
  readonly thinkMs?: number;
  /** Share of each kind (default feed 3, read 3, write 2, cart 2). */
  readonly mix?: Partial<Record<Kind, number>>;
}

const DEFAULT_MIX: Record<Kind, number> = { feed: 3, read: 3, write: 2, cart: 2 };

class User {
  readonly cookies = new Map<string, string>();
  remember(setCookie: string | string[] | undefined): void {
    for (const line of [setCookie ?? []].flat()) {
      const pair = line.split(';')[0] ?? '';
      const at = pair.indexOf('=');
      if (at > 0) this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Starts the load; it is stopped when `t` ends if the test did not stop it (a failed assertion). */
export async function startMixedLoad(t: TestContext, o: LoadOptions): Promise<MixedLoad> {
  const dispatcher = new Agent({ connect: { ca: o.ca }, keepAliveTimeout: 4000 });
  const send = async (user: User, method: 'GET' | 'POST', path: string, body?: unknown) => {
    const headers: Record<string, string> = { cookie: user.header() };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['idempotency-key'] = randomBytes(12).toString('hex');
    }
    const response = await request(new URL(path, o.entry), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      dispatcher,
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
    user.remember(response.headers['set-cookie']);
    const text = await response.body.text();
    let code = '';
    if (response.statusCode >= 400) {
      try {
        code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '';
      } catch {
        code = 'not-json';
      }
    }
    return { status: response.statusCode, code, text };
  };

  const tag = randomBytes(4).toString('hex');
  const users: User[] = [];
  for (let i = 0; i < (o.users ?? 6); i++) {
    const user = new User();
    const credentials = { username: `load_${tag}_${i}`, password: 'load-test-password' };
    const signup = await send(user, 'POST', '/api/users', credentials);
    const login = await send(user, 'POST', '/api/sessions', credentials);
    if (signup.status !== 201 || login.status !== 200)
      throw new Error(`load user ${i}: sign-up ${signup.status}, login ${login.status}`);
    users.push(user);
  }
  const first = await send(users[0] as User, 'POST', '/api/posts', { body: `seed ${tag}` });
  if (first.status !== 201) throw new Error(`seed post: ${first.status} ${first.text}`);
  const postIds: number[] = [(JSON.parse(first.text) as { id: number }).id];

  const mix = { ...DEFAULT_MIX, ...o.mix };
  const kinds = (Object.keys(mix) as Kind[]).flatMap((k) => Array<Kind>(mix[k]).fill(k));
  const t0 = performance.now();
  const outcomes: Outcome[] = [];
  let running = true;

  const one = async (user: User, kind: Kind): Promise<void> => {
    const started = performance.now();
    let status = 0;
    let code = '';
    try {
      const id = postIds[Math.floor(Math.random() * postIds.length)] ?? 1;
      const r =
        kind === 'feed'
          ? await send(user, 'GET', '/api/feed?limit=5')
          : kind === 'read'
            ? await send(user, 'GET', `/api/posts/${id}`)
            : kind === 'cart'
              ? await send(user, 'GET', '/api/cart')
              : await send(user, 'POST', '/api/posts', { body: `drill ${tag} ${outcomes.length}` });
      status = r.status;
      code = r.code;
      if (kind === 'write' && status === 201 && postIds.length < 500)
        postIds.push((JSON.parse(r.text) as { id: number }).id);
    } catch (error) {
      code = String((error as { code?: unknown }).code ?? (error as Error).message);
    }
    const ended = performance.now();
    outcomes.push({ at: started - t0, kind, status, code, ms: ended - started });
  };

  const loop = async (user: User): Promise<void> => {
    while (running) {
      await one(user, kinds[Math.floor(Math.random() * kinds.length)] as Kind);
      await new Promise((r) => setTimeout(r, o.thinkMs ?? 20));
    }
  };
  const loops = users.map((u) => loop(u));
  let stopped: Promise<Outcome[]> | undefined;
  const stop = (): Promise<Outcome[]> => {
    running = false;
    stopped ??= Promise.all(loops)
      .then(() => dispatcher.close())
      .then(() => outcomes);
    return stopped;
  };
  t.after(stop);
  return { now: () => performance.now() - t0, outcomes, stop };
}

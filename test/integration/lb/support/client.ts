/** Load and request helpers for the LB tests (all traffic stays on 127.0.0.0/8, bounded in count). */
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export function client(connections = 16): Agent {
  return new Agent({
    connections,
    pipelining: 1,
    keepAliveTimeout: 2000,
    connect: { rejectUnauthorized: false },
  });
}

export async function send(
  dispatcher: Agent,
  url: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    signal?: AbortSignal;
  } = {},
): Promise<Reply> {
  const res = await request(url, {
    dispatcher,
    signal: init.signal,
    method: (init.method ?? 'GET') as 'GET',
    headers: init.headers,
    body: init.body,
    headersTimeout: 20_000,
    bodyTimeout: 20_000,
  });
  const body = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body };
}

export const servedBy = (r: Reply): string => String(r.headers['x-served-by'] ?? 'none');

/** Runs `total` calls of `one`, `concurrency` at a time; returns the results in order. */
export async function runMany<T>(
  total: number,
  concurrency: number,
  one: (i: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(total);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        results[i] = await one(i);
      }
    }),
  );
  return results;
}

/** Polls until `check` holds, or fails after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Keeps `concurrency` loops of requests going until stopped; counts outcomes. */
export function backgroundLoad(
  concurrency: number,
  one: () => Promise<Reply>,
): { stop: () => Promise<{ ok: number; failed: Reply[]; errors: unknown[] }> } {
  let running = true;
  let ok = 0;
  const failed: Reply[] = [];
  const errors: unknown[] = [];
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      try {
        const r = await one();
        if (r.status >= 200 && r.status < 400) ok++;
        else failed.push(r);
      } catch (error) {
        errors.push(error);
      }
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return { ok, failed, errors };
    },
  };
}

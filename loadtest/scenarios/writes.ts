/**
 * writes: only writes, each a ~1 KB post by a logged-in user (every user of the prepared list
 * this worker takes, so the writes spread over their shards), with an Idempotency-Key. Sessions
 * the main thread opened (ScenarioData.sessions) are reused; otherwise each user logs in.
 * `make bench-shards` measures the write tier with it.
 */
import { randomUUID } from 'node:crypto';
import type { Outcome } from '../core/engine.ts';
import { CookieJar, exchange } from '../core/http.ts';
import { type LoggedIn, logIn } from './login.ts';
import { okStatus, partOf, type Scenario, type WorkerContext } from './scenario.ts';

const BODY = 'load test post '.repeat(64).slice(0, 1000);

export function writes(ctx: WorkerContext): Scenario {
  let users: LoggedIn[] = [];
  return {
    async prepare() {
      const { sessions } = ctx.data;
      const mine = partOf(ctx.data.users, ctx.worker, ctx.workers);
      users =
        sessions === undefined
          ? await logIn(ctx, mine)
          : partOf(
              ctx.data.users.map((u, i) => ({ u, cookies: sessions[i] ?? [] })),
              ctx.worker,
              ctx.workers,
            ).map(({ u, cookies }) => {
              const jar = new CookieJar();
              jar.store([...cookies]);
              return { jar, username: u.username };
            });
      if (users.length === 0) throw new Error('writes: no user to log in as');
    },
    async send(index): Promise<Outcome> {
      const member = users[index % users.length];
      const reply = await exchange(
        ctx.agent,
        ctx.origin,
        {
          label: 'write',
          method: 'POST',
          path: '/api/posts',
          headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: JSON.stringify({ body: BODY }),
        },
        member?.jar,
      );
      return { label: 'write', status: reply.status, ok: okStatus(reply.status) };
    },
    async finish() {
      return { counters: { loggedIn: users.length }, series: {} };
    },
  };
}

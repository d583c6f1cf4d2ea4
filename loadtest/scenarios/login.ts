/** Logging virtual users in before the clock starts (a few at a time: logins hash passwords). */
import { CookieJar, exchange } from '../core/http.ts';
import type { Credentials, WorkerContext } from './scenario.ts';

export interface LoggedIn {
  readonly jar: CookieJar;
  readonly username: string;
}

export async function logIn(
  ctx: WorkerContext,
  users: readonly Credentials[],
  parallel = 4,
): Promise<LoggedIn[]> {
  const out: LoggedIn[] = [];
  let next = 0;
  const one = async () => {
    while (next < users.length) {
      const user = users[next++] as Credentials;
      const jar = new CookieJar();
      const reply = await exchange(
        ctx.agent,
        ctx.origin,
        {
          label: 'login',
          method: 'POST',
          path: '/api/sessions',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(user),
        },
        jar,
      );
      if (reply.status !== 200)
        throw new Error(
          `log in as ${user.username}: HTTP ${reply.status} ${reply.body.toString()}`,
        );
      out.push({ jar, username: user.username });
    }
  };
  await Promise.all(Array.from({ length: parallel }, one));
  return out;
}

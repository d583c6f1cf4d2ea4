/**
 * The writers of one run: accounts signed up through the API until every shard server holds as
 * many (a new user's logical shard is random, so the writes would otherwise lean on one server),
 * listed round-robin over the servers, each logged in once (their Set-Cookie lines): the runs
 * reuse these sessions instead of hashing every writer's password again before every ramp step.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { Agent } from 'undici';
import { shardOfId } from '../../services/shared/shard/ids.ts';
import { evenShardMap } from '../../services/shared/shard/shard-map.ts';
import { exchange, json, makeAgent } from '../core/http.ts';
import type { Target } from '../run/run-load.ts';
import type { Credentials } from '../scenarios/scenario.ts';
import type { DirectWriter } from './direct.ts';

export const WRITER_PASSWORD = 'bench-shards-password';

const ATTEMPTS = 5;

/** A sign-up or login, tried again (after 1 s, up to ATTEMPTS) while the stack answers 503. */
async function hashing(agent: Agent, target: Target, path: string, user: Credentials) {
  for (let attempt = 1; ; attempt++) {
    const reply = await exchange(agent, target.origin, {
      label: path,
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(user),
    });
    if (reply.status !== 503 || attempt === ATTEMPTS) return reply;
    await sleep(1000);
  }
}

export interface Writers {
  readonly users: Credentials[];
  /** Each user's id and the server holding their rows, in the same order. */
  readonly placed: DirectWriter[];
  /** Set-Cookie lines of each user's session, in the same order. */
  readonly sessions: string[][];
}

export async function signUpWriters(
  target: Target,
  shards: number,
  writers: number,
  tag: string,
): Promise<Writers> {
  const perServer = Math.ceil(writers / shards);
  const map = shards > 1 ? evenShardMap(shards) : undefined;
  const byServer: Credentials[][] = Array.from({ length: shards }, () => []);
  const placedBy = new Map<string, DirectWriter>();
  const agent = makeAgent(4, target.ca, 30_000);
  try {
    for (
      let i = 0;
      i < perServer * shards * 20 && byServer.some((l) => l.length < perServer);
      i++
    ) {
      const user = { username: `bench_${tag}_${i}`, password: WRITER_PASSWORD };
      const reply = await hashing(agent, target, '/api/users', user);
      if (reply.status !== 201)
        throw new Error(`sign-up ${user.username}: HTTP ${reply.status} ${reply.body.toString()}`);
      const id = String((json(reply.body) as { id: unknown }).id);
      const server = map === undefined ? 0 : (map[shardOfId(BigInt(id))] ?? 0);
      if ((byServer[server]?.length ?? perServer) >= perServer) continue;
      byServer[server]?.push(user);
      placedBy.set(user.username, {
        id: BigInt(id),
        server: map === undefined ? 'mysql-primary' : `mysql-shard-${server + 1}`,
        logical: map === undefined ? undefined : shardOfId(BigInt(id)),
      });
    }
    if (byServer.some((l) => l.length < perServer))
      throw new Error(`could not place ${perServer} writers on each of ${shards} shard servers`);
    const users = Array.from({ length: perServer }, (_, k) =>
      byServer.map((l) => l[k] as Credentials),
    ).flat();
    const sessions: string[][] = [];
    for (const user of users) {
      const reply = await hashing(agent, target, '/api/sessions', user);
      if (reply.status !== 200)
        throw new Error(
          `log in as ${user.username}: HTTP ${reply.status} ${reply.body.toString()}`,
        );
      sessions.push([reply.headers['set-cookie'] ?? []].flat());
    }
    const placed = users.map((u) => placedBy.get(u.username) as DirectWriter);
    return { users, placed, sessions };
  } finally {
    await agent.close();
  }
}

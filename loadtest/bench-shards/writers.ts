/**
 * The writers of one run: accounts signed up through the API until every shard server holds as
 * many (a new user's logical shard is random, so the writes would otherwise lean on one server),
 * listed round-robin over the servers.
 */
import { shardOfId } from '../../services/shared/shard/ids.ts';
import { evenShardMap } from '../../services/shared/shard/shard-map.ts';
import { exchange, json, makeAgent } from '../core/http.ts';
import type { Target } from '../run/run-load.ts';
import type { Credentials } from '../scenarios/scenario.ts';

export const WRITER_PASSWORD = 'bench-shards-password';

export async function signUpWriters(
  target: Target,
  shards: number,
  writers: number,
  tag: string,
): Promise<Credentials[]> {
  const perServer = Math.ceil(writers / shards);
  const map = shards > 1 ? evenShardMap(shards) : undefined;
  const byServer: Credentials[][] = Array.from({ length: shards }, () => []);
  const agent = makeAgent(4, target.ca, 30_000);
  try {
    for (
      let i = 0;
      i < perServer * shards * 20 && byServer.some((l) => l.length < perServer);
      i++
    ) {
      const user = { username: `bench_${tag}_${i}`, password: WRITER_PASSWORD };
      const reply = await exchange(agent, target.origin, {
        label: 'signup',
        method: 'POST',
        path: '/api/users',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(user),
      });
      if (reply.status !== 201)
        throw new Error(`sign-up ${user.username}: HTTP ${reply.status} ${reply.body.toString()}`);
      const id = String((json(reply.body) as { id: unknown }).id);
      const server = map === undefined ? 0 : (map[shardOfId(BigInt(id))] ?? 0);
      byServer[server]?.push(user);
    }
  } finally {
    await agent.close();
  }
  if (byServer.some((l) => l.length < perServer))
    throw new Error(`could not place ${perServer} writers on each of ${shards} shard servers`);
  return Array.from({ length: perServer }, (_, k) =>
    byServer.map((l) => l[k] as Credentials),
  ).flat();
}

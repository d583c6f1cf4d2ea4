/**
 * Bulk rows for the benchmark to move: users and ~200-byte posts written straight into the shard
 * servers (by the map, with Snowflake ids of their logical shard, dated the last 30 days), so a
 * move copies a realistic amount. They are not in the directory (nobody logs in as them).
 */
import type { Connection } from 'mysql2/promise';
import { composeId } from '../../services/shared/shard/ids.ts';
import type { ShardMap } from '../../services/shared/shard/shard-map.ts';

const BATCH = 1000;
const BODY = 'prefilled post for the reshard benchmark '.repeat(5);

export async function prefill(
  servers: readonly Connection[],
  map: ShardMap,
  users: number,
  posts: number,
): Promise<void> {
  const start = Date.now() - 30 * 24 * 3600 * 1000;
  const userIds = Array.from({ length: users }, (_, u) =>
    composeId({ ms: start + u, shard: u % map.length, sequence: 1000 }),
  );
  const byServer = (id: bigint) => servers[map[Number((id >> 10n) & 8191n)] ?? 0] as Connection;
  const insert = async (table: string, columns: string, rows: (string | bigint)[][]) => {
    const groups = new Map<Connection, (string | bigint)[][]>();
    for (const r of rows) {
      const conn = byServer(r[0] as bigint);
      groups.set(conn, [...(groups.get(conn) ?? []), r]);
    }
    for (const [conn, list] of groups) {
      const width = list[0]?.length ?? 0;
      await conn.query(
        {
          sql: `INSERT IGNORE INTO ${table} (${columns}) VALUES ${list.map(() => `(${new Array(width).fill('?').join(',')})`).join(',')}`,
          timeout: 60_000,
        },
        list.flat().map((v) => (typeof v === 'bigint' ? v.toString() : v)),
      );
    }
  };
  for (let i = 0; i < userIds.length; i += BATCH)
    await insert(
      'users',
      'id, username, password_hash',
      userIds.slice(i, i + BATCH).map((id, k) => [id, `prefill_${i + k}`, '']),
    );
  for (let i = 0; i < posts; i += BATCH) {
    const rows: (string | bigint)[][] = [];
    for (let p = i; p < Math.min(posts, i + BATCH); p++) {
      const user = userIds[p % users] ?? 0n;
      const logical = Number((user >> 10n) & 8191n);
      const id = composeId({ ms: start + 60_000 + p * 20, shard: logical, sequence: p % 1000 });
      rows.push([id, user, `${BODY}#${p}`]);
    }
    // A post's logical shard is its author's: the id decides the server.
    await insert('posts', 'id, user_id, body', rows);
  }
}

/**
 * Making an id inside a write's transaction: the time from this process, the logical shard from
 * the owner, the sequence from the server's `id_sequence` (so two web servers writing the same
 * logical shard in the same millisecond still differ, unless 1,024 ids apart).
 */
import type { Row, Session } from '../../shared/db/target.ts';
import { composeId } from '../../shared/shard/ids.ts';

export async function nextId(tx: Session, logicalShard: number): Promise<bigint> {
  const [row] = await tx.rows<Row & { n: number | string }>('SELECT NEXTVAL(id_sequence) AS n');
  if (row === undefined) throw new Error('NEXTVAL(id_sequence) returned nothing');
  return composeId({
    ms: Date.now(),
    shard: logicalShard,
    sequence: Number(BigInt(row.n) % 1024n),
  });
}

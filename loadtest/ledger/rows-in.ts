/**
 * Looks a ledger's values up on one server: `sql` names them as `IN (?)`, and they are sent in
 * chunks of 500 (one placeholder each), each query with its own timeout.
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';

const CHUNK = 500;

export async function rowsIn(
  db: Connection,
  sql: string,
  values: readonly string[],
  timeoutMs = 15_000,
): Promise<RowDataPacket[]> {
  const rows: RowDataPacket[] = [];
  for (let i = 0; i < values.length; i += CHUNK) {
    const part = values.slice(i, i + CHUNK);
    const [found] = await db.query<RowDataPacket[]>(
      { sql: sql.replace('(?)', `(${part.map(() => '?').join(',')})`), timeout: timeoutMs },
      part,
    );
    rows.push(...found);
  }
  return rows;
}

/**
 * Feed pages are keyed by (created_at, id), newest first: `before=<epoch ms>-<id>` continues after
 * that post. Keyset pagination keeps every page an index range scan, however deep the reader goes.
 * The id part is 64-bit (sharded ids pass 2^53), so it is a BigInt here and in SQL parameters.
 */
import { parseId } from '../../shared/shard/ids.ts';

export interface Cursor {
  readonly createdAt: Date;
  readonly id: bigint;
}

export const CURSOR_PATTERN = '^[0-9]{1,15}-[0-9]{1,19}$';

export const encodeCursor = (c: {
  readonly createdAt: Date;
  readonly id: bigint | number | string;
}): string => `${c.createdAt.getTime()}-${String(c.id)}`;

export function decodeCursor(text: string | undefined): Cursor | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d{1,15})-(\d{1,19})$/.exec(text);
  if (match === null) return undefined;
  const id = parseId(match[2]);
  const createdAt = new Date(Number(match[1]));
  if (id === undefined || Number.isNaN(createdAt.getTime())) return undefined;
  return { createdAt, id };
}

/**
 * Feed pages are keyed by (created_at, id), newest first: `before=<epoch ms>-<id>` continues after
 * that post. Keyset pagination keeps every page an index range scan, however deep the reader goes.
 */
export interface Cursor {
  readonly createdAt: Date;
  readonly id: number;
}

export const CURSOR_PATTERN = '^[0-9]{1,15}-[0-9]{1,16}$';

export const encodeCursor = (c: Cursor): string => `${c.createdAt.getTime()}-${c.id}`;

export function decodeCursor(text: string | undefined): Cursor | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d{1,15})-(\d{1,16})$/.exec(text);
  if (match === null) return undefined;
  const id = Number(match[2]);
  const createdAt = new Date(Number(match[1]));
  if (!Number.isSafeInteger(id) || Number.isNaN(createdAt.getTime())) return undefined;
  return { createdAt, id };
}

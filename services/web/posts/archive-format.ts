/**
 * The archive's file format (`make archive`): gzip-compressed JSON lines, one post per line in the
 * API's shape (so a read needs no join), under a date-partitioned key
 * `archive/posts/<database>/<server>/date=YYYY-MM-DD/<first id>-<last id>.jsonl.gz`. Pure.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Post } from './sql.ts';

export const ARCHIVE_PREFIX = 'archive/posts';
export const ARCHIVE_CONTENT_TYPE = 'application/x-ndjson';

export const utcDay = (d: Date): string => d.toISOString().slice(0, 10);

export interface ArchiveFile {
  readonly database: string;
  readonly server: string;
  readonly day: string;
  readonly firstId: string;
  readonly lastId: string;
}

export const archiveKey = (f: ArchiveFile): string =>
  `${ARCHIVE_PREFIX}/${f.database}/${f.server}/date=${f.day}/${f.firstId}-${f.lastId}.jsonl.gz`;

export const encodeArchive = (posts: readonly Post[]): Buffer =>
  gzipSync(Buffer.from(posts.map((p) => `${JSON.stringify(p)}\n`).join('')));

/** The posts of a file; throws when it is not one (truncated, not gzip, not JSON lines). */
export function decodeArchive(file: Buffer): Post[] {
  return gunzipSync(file)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Post);
}

/** Midnight UTC `days` days before `now`: everything before it is old enough to archive. */
export function archiveCutoff(now: Date, days: number): Date {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(midnight - days * 86_400_000);
}

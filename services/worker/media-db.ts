/**
 * What the worker reads and writes on the MariaDB primary: a media row's state, marking it ready
 * or failed, taking rows out of the job outbox, and finding pending uploads whose job may be lost.
 * Statements only through placeholders; every call has the pool's timeouts.
 */
import type { DbTarget, Row } from '../shared/db/target.ts';
import { parseSizes, type ThumbnailJob, type ThumbnailStatus } from '../shared/thumbnails/job.ts';

interface MediaRow extends Row {
  id: number;
  object_key: string;
  thumbnail_sizes: string;
  thumbnail_status: ThumbnailStatus;
}

const jobOf = (r: MediaRow): ThumbnailJob | undefined => {
  const sizes = parseSizes(r.thumbnail_sizes);
  return sizes === undefined || sizes.length === 0
    ? undefined
    : { mediaId: Number(r.id), objectKey: r.object_key, sizes };
};

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

export class MediaDb {
  /** The writer now: it changes when a replica is promoted (WriterWatch). */
  readonly #writer: () => DbTarget;

  constructor(writer: () => DbTarget) {
    this.#writer = writer;
  }

  async find(id: number): Promise<{ objectKey: string; status: ThumbnailStatus } | undefined> {
    const [row] = await this.#writer().rows<MediaRow>(
      'SELECT id, object_key, thumbnail_sizes, thumbnail_status FROM media WHERE id = ?',
      [id],
    );
    return row === undefined
      ? undefined
      : { objectKey: row.object_key, status: row.thumbnail_status };
  }

  async markReady(id: number): Promise<void> {
    await this.#writer().write(
      "UPDATE media SET thumbnail_status = 'ready', thumbnail_error = NULL WHERE id = ? AND thumbnail_status <> 'ready'",
      [id],
    );
  }

  /** Only a pending thumbnail becomes failed: a late failure never undoes a ready one. */
  async markFailed(id: number, message: string): Promise<void> {
    await this.#writer().write(
      "UPDATE media SET thumbnail_status = 'failed', thumbnail_error = ? WHERE id = ? AND thumbnail_status = 'pending'",
      [message.slice(0, 255), id],
    );
  }

  /**
   * Takes up to `limit` outbox rows (rows another worker holds are skipped), hands their jobs to
   * `enqueue`, and deletes the rows only if it succeeded, all in one transaction: a row leaves the
   * outbox once its job is in the queue, never before.
   */
  async takeOutbox(
    limit: number,
    enqueue: (jobs: ThumbnailJob[]) => Promise<void>,
  ): Promise<number> {
    return this.#writer().transaction(async (tx) => {
      const ids = (
        await tx.rows<Row & { media_id: number }>(
          'SELECT media_id FROM thumbnail_outbox ORDER BY created_at LIMIT ? FOR UPDATE SKIP LOCKED',
          [limit],
        )
      ).map((r) => Number(r.media_id));
      if (ids.length === 0) return 0;
      const rows = await tx.rows<MediaRow>(
        `SELECT id, object_key, thumbnail_sizes, thumbnail_status FROM media WHERE id IN (${placeholders(ids.length)})`,
        ids,
      );
      await enqueue(rows.flatMap((r) => jobOf(r) ?? []));
      await tx.write(
        `DELETE FROM thumbnail_outbox WHERE media_id IN (${placeholders(ids.length)})`,
        ids,
      );
      return ids.length;
    });
  }

  /** Pending uploads older than `olderThanMs` and no longer in the outbox, by id after `afterId`. */
  async stalePending(olderThanMs: number, afterId: number, limit: number): Promise<ThumbnailJob[]> {
    const rows = await this.#writer().rows<MediaRow>(
      `SELECT m.id, m.object_key, m.thumbnail_sizes, m.thumbnail_status
         FROM media m LEFT JOIN thumbnail_outbox o ON o.media_id = m.id
        WHERE m.thumbnail_status = 'pending' AND o.media_id IS NULL
          AND m.updated_at < NOW(3) - INTERVAL ? MICROSECOND AND m.id > ?
        ORDER BY m.id LIMIT ?`,
      [olderThanMs * 1000, afterId, limit],
    );
    return rows.flatMap((r) => jobOf(r) ?? []);
  }
}

/**
 * Checks a load's ledger against the stack: looks every write up in the primary (posts by their
 * body, uploads by their SHA-256, keys in idempotency_keys), reads every acknowledged upload back
 * through the URL its answer named (LB or CDN edge), and with THUMBNAILS=queue waits (bounded) for the thumbnail jobs and checks
 * each upload's thumbnail objects in the object store, one per size. The verdict is verdict.ts's.
 */
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { mapLimit } from '../../services/shared/map-limit.ts';
import { thumbnailKey } from '../../services/shared/storage/keys.ts';
import { parseSizes } from '../../services/shared/thumbnails/job.ts';
import { connectDb, type StackFile, s3Of } from '../drills/stack.ts';
import type { Browser } from '../mixed-load/browser.ts';
import { isAcknowledged, type Ledger } from './ledger.ts';
import { rowsIn } from './rows-in.ts';
import { type FoundMedia, judgeLedger, type LedgerVerdict } from './verdict.ts';

function group<V>(
  rows: RowDataPacket[],
  key: string,
  value: (r: RowDataPacket) => V,
): Map<string, V[]> {
  const map = new Map<string, V[]>();
  for (const r of rows) map.set(String(r[key]), [...(map.get(String(r[key])) ?? []), value(r)]);
  return map;
}

/**
 * The thumbnails of an upload found in the store: one HEAD per size its row names, at the key
 * derived from the original's (the only names the worker writes). Not a listing: s3rver lists a
 * prefix by reading every object's metadata in the bucket, which starved the worker it measures.
 */
async function thumbnailCount(
  s3: { client: S3Client; bucket: string } | undefined,
  objectKey: string,
  sizes: readonly number[],
): Promise<number> {
  if (s3 === undefined) return 0;
  const found = await Promise.all(
    sizes.map((size) =>
      s3.client
        .send(new HeadObjectCommand({ Bucket: s3.bucket, Key: thumbnailKey(objectKey, size) }))
        .then(
          () => 1,
          () => 0,
        ),
    ),
  );
  return found.reduce<number>((a, b) => a + b, 0);
}

async function pendingUploads(db: Connection, shas: readonly string[]): Promise<number> {
  const rows = await rowsIn(
    db,
    "SELECT id FROM media WHERE thumbnail_status = 'pending' AND sha256 IN (?)",
    shas,
  );
  return rows.length;
}

/** Uploads (any, not only this load's) whose thumbnails are done. */
async function settledUploads(db: Connection): Promise<number> {
  const [rows] = await db.query<RowDataPacket[]>({
    sql: "SELECT COUNT(*) AS n FROM media WHERE thumbnail_status <> 'pending'",
    timeout: 10_000,
  });
  return Number(rows[0]?.n ?? 0);
}

/** A gateway's answer (or none): the edge or LB could not reach the origin in time. */
const GATEWAY = new Set([0, 502, 503, 504]);
const READ_BACK_ATTEMPTS = 5;
/** Uploads looked up and read back at once. */
const READ_CONCURRENCY = 4;

/**
 * An upload read back, retried (1 s apart, 5 attempts: longer than the edge's origin breaker stays
 * open, 2 s) while a gateway answers for it: the ledger asks whether the bytes are there, and an
 * edge whose origin fetch timed out on a loaded box says nothing about that. A 404 or other bytes are never retried; a gateway that keeps failing fails.
 */
async function readBack(reader: Browser, url: string): Promise<{ status: number; body: Buffer }> {
  for (let attempt = 1; ; attempt++) {
    const got = await reader
      .bytes(url)
      .catch((e: Error) => ({ status: 0, body: Buffer.from(e.message) }));
    if (!GATEWAY.has(got.status) || attempt >= READ_BACK_ATTEMPTS) return got;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The original as the object store holds it (undefined when there is no store or no object). */
async function fromStore(stack: StackFile, objectKey: string): Promise<Buffer | undefined> {
  const s3 = s3Of(stack);
  if (s3 === undefined) return undefined;
  try {
    const got = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: objectKey }));
    return Buffer.from((await got.Body?.transformToByteArray()) ?? []);
  } catch {
    return undefined;
  } finally {
    s3.client.destroy();
  }
}

export interface CheckOptions {
  /** How long the queued thumbnail jobs may make no progress after the load (default 60 s). */
  readonly thumbnailStallMs?: number;
  /** How long they may take in all (default 10 min). */
  readonly thumbnailWaitMs?: number;
}

/**
 * Waits for the queued thumbnails while the queue makes progress: a slow or busy worker box is
 * capacity, not loss, so only a backlog that stops moving (or the overall cap) ends the wait.
 */
async function waitForThumbnails(
  db: Connection,
  shas: readonly string[],
  options: CheckOptions,
): Promise<void> {
  const stallMs = options.thumbnailStallMs ?? 60_000;
  const capAt = Date.now() + (options.thumbnailWaitMs ?? 600_000);
  // Progress is any upload's thumbnail done: the queue is FIFO, so this load's jobs may wait
  // behind older ones while the worker is busy.
  let done = await settledUploads(db);
  let progressAt = Date.now();
  while (
    (await pendingUploads(db, shas)) > 0 &&
    Date.now() < capAt &&
    Date.now() - progressAt < stallMs
  ) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await settledUploads(db);
    if (now > done) progressAt = Date.now();
    done = now;
  }
}

export async function checkLedger(
  stack: StackFile,
  ledger: Ledger,
  reader: Browser,
  options: CheckOptions = {},
): Promise<LedgerVerdict> {
  const queued = stack.flags.THUMBNAILS === 'queue';
  const posts = ledger.entries.filter((e) => e.kind === 'post');
  const uploads = ledger.entries.filter((e) => e.kind === 'upload');
  const shas = uploads.map((e) => e.sha256 ?? '');
  const db = await connectDb(stack);
  try {
    if (queued && shas.length > 0) await waitForThumbnails(db, shas, options);
    const postRows = await rowsIn(
      db,
      'SELECT id, body FROM posts WHERE body IN (?)',
      posts.map((e) => e.body ?? ''),
    );
    const keyRows = await rowsIn(
      db,
      'SELECT idem_key FROM idempotency_keys WHERE idem_key IN (?)',
      ledger.entries.map((e) => e.key),
    );
    const mediaRows = await rowsIn(
      db,
      'SELECT id, sha256, object_key, thumbnail_status, thumbnail_sizes FROM media WHERE sha256 IN (?)',
      shas,
    );
    // The object store answers one request at a time slowly on a busy box: a few at once.
    const s3 = queued ? s3Of(stack) : undefined;
    const found = await mapLimit(mediaRows, READ_CONCURRENCY, async (r) => {
      const sizes = parseSizes(String(r.thumbnail_sizes)) ?? [];
      const media: FoundMedia = {
        id: String(r.id),
        status: String(r.thumbnail_status),
        thumbnails: queued ? await thumbnailCount(s3, String(r.object_key), sizes) : 0,
        sizes: sizes.length,
      };
      return { sha: String(r.sha256), objectKey: String(r.object_key), media };
    }).finally(() => s3?.client.destroy());
    const media = new Map<string, FoundMedia[]>();
    for (const f of found) media.set(f.sha, [...(media.get(f.sha) ?? []), f.media]);
    const objectKeys = new Map(found.map((f) => [f.sha, f.objectKey]));
    const unreadable = new Map<string, string>();
    const edgeOnly = new Map<string, string>();
    const problems = await mapLimit(
      uploads.filter(isAcknowledged),
      READ_CONCURRENCY,
      async (entry) => {
        if (entry.url === undefined) return [entry.key, 'no url in the answer'] as const;
        const got = await readBack(reader, entry.url);
        const objectKey = objectKeys.get(entry.sha256 ?? '');
        if (GATEWAY.has(got.status) && objectKey !== undefined && entry.bytes !== undefined) {
          // The gateway kept failing: whether the upload is lost is for the store to say.
          const original = await fromStore(stack, objectKey);
          if (original?.equals(entry.bytes)) {
            edgeOnly.set(entry.key, `GET ${entry.url}: ${got.status}; byte-identical in the store`);
            return undefined;
          }
          return [entry.key, `GET ${entry.url}: ${got.status}; not in the store either`] as const;
        }
        if (got.status !== 200) return [entry.key, `GET ${entry.url}: ${got.status}`] as const;
        if (entry.bytes !== undefined && !got.body.equals(entry.bytes))
          return [
            entry.key,
            `GET ${entry.url}: ${got.body.length} bytes differ from the ${entry.bytes.length} sent`,
          ] as const;
        return undefined;
      },
    );
    for (const p of problems) if (p !== undefined) unreadable.set(p[0], p[1]);
    const keys = new Map([...group(keyRows, 'idem_key', () => 1)].map(([k, v]) => [k, v.length]));
    return judgeLedger(ledger.entries, {
      posts: group(postRows, 'body', (r) => String(r.id)),
      keys,
      media,
      unreadable,
      edgeOnly,
      queued,
    });
  } finally {
    await db.end();
  }
}

/**
 * Reading a post that `make archive` moved to the object store: the server that held it lists
 * the `done` file whose id range covers it; the file is fetched and searched. Slower than a row
 * read (an object fetch and a decompression), and marked so in X-DB (`archive;<server>`).
 */
import type { DbTarget, Row } from '../../shared/db/target.ts';
import type { ObjectStore } from '../../shared/storage/object-store.ts';
import { decodeArchive } from './archive-format.ts';
import type { Post } from './sql.ts';

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

export async function readArchived(
  server: DbTarget,
  store: ObjectStore,
  id: bigint,
): Promise<Post | undefined> {
  const files = await server.rows<Row & { object_key: string }>(
    "SELECT object_key FROM archive_files WHERE state = 'done' AND first_id <= ? AND last_id >= ?",
    [id, id],
  );
  for (const { object_key: key } of files) {
    const object = await store.get(key);
    if (object === undefined) continue;
    const found = decodeArchive(await readAll(object.body)).find(
      (p) => String(p.id) === String(id),
    );
    if (found !== undefined) return found;
  }
  return undefined;
}

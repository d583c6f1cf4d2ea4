/**
 * Objects as files under DATA_DIR/objects (stage 1: "files on local disk"). Writes go to a temporary
 * file first and are renamed into place, so a reader never sees half an object.
 */
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { contentTypeOf, isObjectKey } from '../../shared/storage/keys.ts';
import type { ObjectStore, StoredObject } from '../../shared/storage/object-store.ts';

export class LocalObjectStore implements ObjectStore {
  readonly kind = 'local';
  readonly #root: string;

  constructor(dataDir: string) {
    this.#root = resolve(dataDir, 'objects');
  }

  /** The file for `key`, refusing any key that is not one of ours or that leaves the root. */
  #path(key: string): string {
    const path = resolve(this.#root, key);
    if (!isObjectKey(key) || !path.startsWith(this.#root + sep))
      throw new Error(`refusing object key ${JSON.stringify(key)}`);
    return path;
  }

  async put(key: string, body: Buffer): Promise<void> {
    const path = this.#path(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temporary, body, { flag: 'wx' });
    await rename(temporary, path);
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const path = this.#path(key);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || !info.isFile()) return undefined;
    return {
      body: createReadStream(path),
      contentType: contentTypeOf(key),
      contentLength: info.size,
      etag: `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`,
      lastModified: info.mtime,
    };
  }

  async exists(key: string): Promise<boolean> {
    return (await stat(this.#path(key)).catch(() => undefined))?.isFile() ?? false;
  }

  async delete(key: string): Promise<void> {
    await rm(this.#path(key), { force: true });
  }

  async check(): Promise<void> {
    await mkdir(this.#root, { recursive: true });
  }

  async close(): Promise<void> {}
}

/**
 * The explorer's static assets. At stage 1 the app serves them from its own box (/static/...); with
 * STORAGE=s3 they are copied once into the object store under a content version and the page
 * links them from there (/files/static/<version>/...), where a CDN can pick them up.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { contentTypeOf, staticKey } from '../../shared/storage/keys.ts';
import type { ObjectStore } from '../../shared/storage/object-store.ts';

export interface Asset {
  readonly name: string;
  readonly body: Buffer;
  readonly contentType: string;
}

export interface AssetSet {
  /** First 16 hex digits of a SHA-256 over every asset: changes whenever any asset changes. */
  readonly version: string;
  readonly assets: ReadonlyMap<string, Asset>;
}

export async function loadAssets(dir: string): Promise<AssetSet> {
  const names = (await readdir(dir))
    .filter((n) => /^[a-z0-9][a-z0-9_-]*\.(css|js|html|svg|ico|png)$/.test(n))
    .sort();
  const hash = createHash('sha256');
  const assets = new Map<string, Asset>();
  for (const name of names) {
    const body = await readFile(join(dir, name));
    hash.update(name).update(body);
    assets.set(name, { name, body, contentType: contentTypeOf(name) });
  }
  return { version: hash.digest('hex').slice(0, 16), assets };
}

/** Copies assets that are not in the store yet; keys are versioned, so existing ones are current. */
export async function publishAssets(set: AssetSet, store: ObjectStore): Promise<number> {
  let copied = 0;
  for (const asset of set.assets.values()) {
    const key = staticKey(set.version, asset.name);
    if (await store.exists(key)) continue;
    await store.put(key, asset.body, asset.contentType);
    copied += 1;
  }
  return copied;
}

/** Replaces `{{name}}` with HTML-escaped values; unknown names are left visible, not blanked. */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{([\w.]+)\}\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : escapeHtml(value);
  });
}

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

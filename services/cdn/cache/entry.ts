/**
 * One cached object and its clock arithmetic: fresh until `storedAt + ttl`, usable while the
 * origin fails until `stale-if-error` more seconds have passed, `Age` counted from when the
 * origin produced it. Pure apart from the `now` passed in.
 */
import type { Sized } from './lru.ts';

/** Bookkeeping charged to every entry on top of its body (headers, key, map slots). */
export const ENTRY_OVERHEAD_BYTES = 512;

export interface CachedObject extends Sized {
  readonly key: string;
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
  readonly lastModified: Date | undefined;
  /** `lastModified` as an HTTP date, made once ('' when unknown). */
  readonly lastModifiedText: string;
  /** Epoch ms when the edge got it from the origin (or last revalidated it). */
  readonly storedAt: number;
  readonly ttlSeconds: number;
  readonly staleIfErrorSeconds: number;
  readonly immutable: boolean;
}

export function cachedObject(
  fields: Omit<CachedObject, 'size' | 'lastModifiedText'>,
): CachedObject {
  return {
    ...fields,
    lastModifiedText: fields.lastModified?.toUTCString() ?? '',
    size: fields.body.length + fields.key.length + ENTRY_OVERHEAD_BYTES,
  };
}

export const ageSeconds = (o: CachedObject, now: number): number =>
  Math.max(0, Math.floor((now - o.storedAt) / 1000));

export const remainingSeconds = (o: CachedObject, now: number): number =>
  o.ttlSeconds - (now - o.storedAt) / 1000;

export const isFresh = (o: CachedObject, now: number): boolean => remainingSeconds(o, now) > 0;

/** Stale, but still allowed to answer while the origin is failing. */
export const usableOnError = (o: CachedObject, now: number): boolean =>
  remainingSeconds(o, now) + o.staleIfErrorSeconds > 0;

/** A revalidated entry: same body, fresh again from `now`. */
export const refreshed = (o: CachedObject, now: number): CachedObject => ({ ...o, storedAt: now });

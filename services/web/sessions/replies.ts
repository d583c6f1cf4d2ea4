/**
 * Idempotency for writes that live in the session itself (cart items): the session keeps the last
 * few keys with the digest of their request and the response. Pure.
 */
import type { SessionData } from './store.ts';

export const MAX_REMEMBERED = 20;

export type Replies = NonNullable<SessionData['replies']>;

export type Lookup = { kind: 'new' } | { kind: 'replay'; body: unknown } | { kind: 'conflict' };

export function lookupReply(
  replies: Replies | undefined,
  key: string | undefined,
  hash: string,
): Lookup {
  if (key === undefined) return { kind: 'new' };
  const seen = replies?.[key];
  if (seen === undefined) return { kind: 'new' };
  return seen.hash === hash ? { kind: 'replay', body: seen.body } : { kind: 'conflict' };
}

/** Remembers a reply, forgetting the oldest beyond MAX_REMEMBERED. */
export function rememberReply(
  replies: Replies | undefined,
  key: string | undefined,
  hash: string,
  body: unknown,
): Replies | undefined {
  if (key === undefined) return replies;
  const entries = Object.entries(replies ?? {}).filter(([k]) => k !== key);
  entries.push([key, { hash, body }]);
  return Object.fromEntries(entries.slice(-MAX_REMEMBERED));
}

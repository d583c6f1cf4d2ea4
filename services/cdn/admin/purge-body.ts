/**
 * The purge request body: `{ "keys": [...], "prefixes": [...] }`, at most 1000 items, each a public
 * object key or a prefix inside the public key space. Pure.
 */
import { isObjectKey } from '../../shared/storage/keys.ts';
import { isPurgePrefix } from '../http/request-key.ts';

export const MAX_PURGE_ITEMS = 1000;

export type PurgeBody =
  | { readonly ok: true; readonly keys: readonly string[]; readonly prefixes: readonly string[] }
  | { readonly ok: false; readonly message: string };

const strings = (v: unknown): string[] | undefined =>
  v === undefined
    ? []
    : Array.isArray(v) && v.every((s) => typeof s === 'string')
      ? (v as string[])
      : undefined;

export function parsePurgeBody(text: string): PurgeBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'the body is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, message: 'expected an object with keys and/or prefixes' };
  const { keys: rawKeys, prefixes: rawPrefixes, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0)
    return { ok: false, message: `unknown fields: ${Object.keys(rest).join(', ')}` };
  const keys = strings(rawKeys);
  const prefixes = strings(rawPrefixes);
  if (keys === undefined || prefixes === undefined)
    return { ok: false, message: 'keys and prefixes are arrays of strings' };
  if (keys.length + prefixes.length === 0) return { ok: false, message: 'nothing to purge' };
  if (keys.length + prefixes.length > MAX_PURGE_ITEMS)
    return { ok: false, message: `at most ${MAX_PURGE_ITEMS} keys and prefixes at once` };
  const badKey = keys.find((k) => !isObjectKey(k));
  if (badKey !== undefined)
    return {
      ok: false,
      message: `not a public object key: ${JSON.stringify(badKey.slice(0, 100))}`,
    };
  const badPrefix = prefixes.find((p) => !isPurgePrefix(p));
  if (badPrefix !== undefined)
    return {
      ok: false,
      message: `not a public key prefix: ${JSON.stringify(badPrefix.slice(0, 100))}`,
    };
  return { ok: true, keys, prefixes };
}

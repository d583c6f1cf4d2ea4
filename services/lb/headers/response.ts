/**
 * Copies a backend's response headers (flat name/value list) for the client, without hop-by-hop
 * headers (including those its Connection header names) and without the backend's HSTS.
 */
import { connectionTokens, dropConnectionNamed, RESPONSE_DROPPED } from './hop-by-hop.ts';

const text = (v: Buffer | string): string => (typeof v === 'string' ? v : v.toString('latin1'));

/** `raw` is a flat name/value list as Node (strings) or undici (Buffers) gives it. */
export function filterResponseHeaders(raw: readonly (Buffer | string)[], out: string[]): void {
  let named: readonly string[] | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = text(raw[i] as Buffer | string);
    const lower = name.toLowerCase();
    if (lower === 'connection') {
      const tokens = connectionTokens(text(raw[i + 1] as Buffer | string));
      if (tokens.length > 0) named = named === null ? tokens : named.concat(tokens);
      continue;
    }
    if (RESPONSE_DROPPED.has(lower)) continue;
    out.push(name, text(raw[i + 1] as Buffer | string));
  }
  if (named !== null) dropConnectionNamed(out, named);
}

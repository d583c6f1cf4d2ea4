/**
 * Header names the LB handles itself, lower-case → what to do with a client's (or backend's) copy.
 * Hop-by-hop headers (RFC 9110 §7.6.1) never cross the proxy; forwarding headers are set by the LB
 * only, never trusted from a client; `expect` is answered by the LB's own HTTP server.
 */
export const Rule = {
  Keep: 0,
  Drop: 1,
  Host: 2,
  ContentLength: 3,
  TransferEncoding: 4,
  Connection: 5,
  Cookie: 6,
} as const;
export type Rule = (typeof Rule)[keyof typeof Rule];

const table = new Map<string, Rule>([
  ['connection', Rule.Connection],
  ['keep-alive', Rule.Drop],
  ['proxy-connection', Rule.Drop],
  ['proxy-authenticate', Rule.Drop],
  ['proxy-authorization', Rule.Drop],
  ['te', Rule.Drop],
  ['trailer', Rule.Drop],
  ['upgrade', Rule.Drop],
  ['http2-settings', Rule.Drop],
  ['expect', Rule.Drop],
  ['forwarded', Rule.Drop],
  ['x-forwarded-for', Rule.Drop],
  ['x-forwarded-proto', Rule.Drop],
  ['x-forwarded-host', Rule.Drop],
  ['x-forwarded-port', Rule.Drop],
  ['x-forwarded-prefix', Rule.Drop],
  ['x-real-ip', Rule.Drop],
  ['x-request-id', Rule.Drop],
  ['host', Rule.Host],
  ['content-length', Rule.ContentLength],
  ['transfer-encoding', Rule.TransferEncoding],
  ['cookie', Rule.Cookie],
]);

export function requestRule(lowerName: string): Rule {
  return table.get(lowerName) ?? Rule.Keep;
}

/**
 * Dropped from a backend's response: hop-by-hop headers (plus those its Connection header names),
 * and what the LB sets itself: HSTS (the LB's policy) and X-Request-Id (the LB's id, which the
 * backend echoes, would otherwise appear twice).
 */
export const RESPONSE_DROPPED: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
  'strict-transport-security',
  'x-request-id',
]);

/** Removes from a flat name/value list every header that a Connection header named. */
export function dropConnectionNamed(out: string[], named: readonly string[]): void {
  let w = 0;
  for (let r = 0; r < out.length; r += 2) {
    const name = out[r] as string;
    if (named.includes(name.toLowerCase())) continue;
    out[w++] = name;
    out[w++] = out[r + 1] as string;
  }
  out.length = w;
}

const NO_TOKENS: readonly string[] = Object.freeze([]);

/** Tokens of a Connection header value, lower-case, without keep-alive/close. */
export function connectionTokens(value: string): readonly string[] {
  if (value.length <= 10) {
    const lower = value.toLowerCase();
    if (lower === 'keep-alive' || lower === 'close') return NO_TOKENS;
  }
  const out: string[] = [];
  for (const raw of value.split(',')) {
    const token = raw.trim().toLowerCase();
    if (token !== '' && token !== 'close' && token !== 'keep-alive') out.push(token);
  }
  return out;
}

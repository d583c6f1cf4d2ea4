/**
 * One pass over a client request's raw headers: rejects malformed or ambiguous requests (the
 * smuggling rules) and copies every header that may be forwarded into `out`. The LB then appends
 * its own X-Forwarded-* / X-Request-Id, and the Cookie header without the sticky cookie.
 * Node's parser (never in insecure mode) already rejects CL+TE with chunked, duplicate
 * Content-Length, obs-fold, bare LF and NUL; these rules cover what it lets through.
 */
import { connectionTokens, dropConnectionNamed, Rule, requestRule } from './hop-by-hop.ts';

export interface Inspection {
  /** 0 = acceptable; otherwise the status to answer (400 or 431) with `code`. */
  readonly status: 0 | 400 | 431;
  readonly code: string;
  readonly host: string;
  /** All Cookie headers joined with '; ' ('' when none). */
  readonly cookie: string;
  readonly hasBody: boolean;
}

/** A Host header value: a name, IPv4 or [IPv6] (the `name` group), and an optional port. */
export const HOST_VALUE = /^(?<name>[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

const reject = (status: 400 | 431, code: string): Inspection => ({
  status,
  code,
  host: '',
  cookie: '',
  hasBody: false,
});

function targetIsOriginForm(method: string, url: string): boolean {
  if (url.charCodeAt(0) === 47 /* / */) return url.charCodeAt(1) !== 47; // not `//host/...`
  return url === '*' && method === 'OPTIONS';
}

export function inspectRequest(
  method: string,
  url: string,
  httpVersionMinor: number,
  raw: readonly string[],
  maxHeaders: number,
  out: string[],
): Inspection {
  if (raw.length > maxHeaders * 2) return reject(431, 'LB_ERR_TOO_MANY_HEADERS');
  if (!targetIsOriginForm(method, url)) return reject(400, 'LB_ERR_BAD_TARGET');
  let host: string | undefined;
  let hosts = 0;
  let contentLength: string | undefined;
  let transferEncoding: string | undefined;
  let connection: string | undefined;
  let cookie = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    switch (requestRule(lower)) {
      case Rule.Keep:
        out.push(name, value);
        break;
      case Rule.Drop:
        break;
      case Rule.Host:
        hosts++;
        host = value;
        out.push(name, value);
        break;
      case Rule.ContentLength:
        if (contentLength !== undefined) return reject(400, 'LB_ERR_BAD_FRAMING');
        contentLength = value;
        out.push(name, value);
        break;
      case Rule.TransferEncoding:
        if (transferEncoding !== undefined) return reject(400, 'LB_ERR_BAD_FRAMING');
        transferEncoding = value;
        break;
      case Rule.Connection:
        connection = connection === undefined ? value : `${connection},${value}`;
        break;
      case Rule.Cookie:
        cookie = cookie === '' ? value : `${cookie}; ${value}`;
        break;
    }
  }
  if (hosts > 1 || (hosts === 0 && httpVersionMinor >= 1)) return reject(400, 'LB_ERR_BAD_HOST');
  if (host !== undefined && !HOST_VALUE.test(host)) return reject(400, 'LB_ERR_BAD_HOST');
  if (transferEncoding !== undefined) {
    if (contentLength !== undefined || httpVersionMinor < 1)
      return reject(400, 'LB_ERR_BAD_FRAMING');
    if (transferEncoding.trim().toLowerCase() !== 'chunked')
      return reject(400, 'LB_ERR_BAD_FRAMING');
  }
  if (connection !== undefined) {
    const named = connectionTokens(connection);
    if (named.length > 0) dropConnectionNamed(out, named);
  }
  const hasBody =
    transferEncoding !== undefined || (contentLength !== undefined && contentLength !== '0');
  return { status: 0, code: '', host: host ?? '', cookie, hasBody };
}

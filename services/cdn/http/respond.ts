/**
 * Writes an object to the client: 304 when the client's copy is current, 206 for one range,
 * multipart/byteranges for several, 416 when none can be satisfied, else 200; HEAD gets the same
 * head without a body. Every answer says where it came from (`X-Cache`), how old it is (`Age`) and
 * how long it may be kept (`Cache-Control`); any origin may read it (CORS `*`: only public objects are
 * served).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { outgoingCacheControl } from '../cache/cache-control.ts';
import { ageSeconds, type CachedObject, remainingSeconds } from '../cache/entry.ts';
import type { CacheState } from '../edge/edge-cache.ts';
import { notModified, rangeApplies } from './conditional.ts';
import { contentRange, parseRange } from './range.ts';

export interface Served {
  readonly status: number;
  /** Body bytes written (0 for HEAD and 304). */
  readonly bytes: number;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

export function sendJson(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: OutgoingHttpHeaders = {},
): Served {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...extra,
  });
  res.end(body);
  return { status, bytes: 0 };
}

/**
 * The head every object answer shares, as a flat name/value list (the cheapest form for
 * writeHead on the hit path: no object to build, nothing to validate twice).
 */
function baseHeaders(o: CachedObject, state: CacheState, now: number, servedBy: string): string[] {
  const cacheControl =
    o.ttlSeconds === 0
      ? 'no-store'
      : state === 'STALE'
        ? 'public, max-age=0'
        : outgoingCacheControl(remainingSeconds(o, now), o.immutable);
  const h = [
    'cache-control',
    cacheControl,
    'age',
    String(ageSeconds(o, now)),
    'x-cache',
    state,
    'x-served-by',
    servedBy,
    'accept-ranges',
    'bytes',
    'x-content-type-options',
    'nosniff',
    // Every object served is public: pages on other origins may read it (a module script and
    // a crossorigin image are fetched in CORS mode). No credentials are ever involved.
    'access-control-allow-origin',
    '*',
  ];
  if (o.etag !== '') h.push('etag', o.etag);
  if (o.lastModifiedText !== '') h.push('last-modified', o.lastModifiedText);
  return h;
}

export function sendObject(
  req: IncomingMessage,
  res: ServerResponse,
  o: CachedObject,
  state: CacheState,
  servedBy: string,
  now: number = Date.now(),
): Served {
  const head = req.method === 'HEAD';
  const h = baseHeaders(o, state, now, servedBy);
  const size = o.body.length;
  if (notModified(header(req, 'if-none-match'), header(req, 'if-modified-since'), o)) {
    res.writeHead(304, h);
    res.end();
    return { status: 304, bytes: 0 };
  }
  const range = rangeApplies(header(req, 'if-range'), o)
    ? parseRange(header(req, 'range'), size)
    : ({ kind: 'none' } as const);
  if (range.kind === 'unsatisfiable')
    return sendJson(
      res,
      416,
      'CDN_ERR_RANGE_NOT_SATISFIABLE',
      'no requested range is inside the object',
      {
        'content-range': `bytes */${size}`,
        'x-cache': state,
      },
    );
  if (range.kind === 'none') {
    h.push('content-type', o.contentType, 'content-length', String(size));
    res.writeHead(200, h);
    res.end(head ? undefined : o.body);
    return { status: 200, bytes: head ? 0 : size };
  }
  const [only, ...more] = range.ranges;
  if (only !== undefined && more.length === 0) {
    const part = o.body.subarray(only.start, only.end + 1);
    h.push('content-type', o.contentType);
    h.push('content-range', contentRange(only, size), 'content-length', String(part.length));
    res.writeHead(206, h);
    res.end(head ? undefined : part);
    return { status: 206, bytes: head ? 0 : part.length };
  }
  const boundary = randomBytes(12).toString('hex');
  const pieces: Buffer[] = [];
  for (const r of range.ranges) {
    pieces.push(
      Buffer.from(
        `\r\n--${boundary}\r\ncontent-type: ${o.contentType}\r\ncontent-range: ${contentRange(r, size)}\r\n\r\n`,
      ),
      o.body.subarray(r.start, r.end + 1),
    );
  }
  pieces.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  const body = Buffer.concat(pieces);
  h.push('content-type', `multipart/byteranges; boundary=${boundary}`);
  h.push('content-length', String(body.length));
  res.writeHead(206, h);
  res.end(head ? undefined : body);
  return { status: 206, bytes: head ? 0 : body.length };
}

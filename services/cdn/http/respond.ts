/**
 * Writes an object to the client: 304 when the client's copy is current, 206 for one range,
 * multipart/byteranges for several, 416 when none can be satisfied, else 200; HEAD gets the same
 * head without a body. Every answer says where it came from (`X-Cache`), how old it is (`Age`) and
 * how long it may be kept (`Cache-Control`).
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

function baseHeaders(o: CachedObject, state: CacheState, now: number, servedBy: string) {
  const remaining = remainingSeconds(o, now);
  const cacheControl =
    o.ttlSeconds === 0
      ? 'no-store'
      : state === 'STALE'
        ? 'public, max-age=0'
        : outgoingCacheControl(remaining, o.immutable);
  const h: OutgoingHttpHeaders = {
    etag: o.etag || undefined,
    'last-modified': o.lastModified?.toUTCString(),
    'cache-control': cacheControl,
    age: String(ageSeconds(o, now)),
    'x-cache': state,
    'x-served-by': servedBy,
    'accept-ranges': 'bytes',
    'x-content-type-options': 'nosniff',
  };
  for (const k of Object.keys(h)) if (h[k] === undefined) delete h[k];
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
    res.writeHead(200, { ...h, 'content-type': o.contentType, 'content-length': size });
    res.end(head ? undefined : o.body);
    return { status: 200, bytes: head ? 0 : size };
  }
  const [only, ...more] = range.ranges;
  if (only !== undefined && more.length === 0) {
    const part = o.body.subarray(only.start, only.end + 1);
    res.writeHead(206, {
      ...h,
      'content-type': o.contentType,
      'content-range': contentRange(only, size),
      'content-length': part.length,
    });
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
  res.writeHead(206, {
    ...h,
    'content-type': `multipart/byteranges; boundary=${boundary}`,
    'content-length': body.length,
  });
  res.end(head ? undefined : body);
  return { status: 206, bytes: head ? 0 : body.length };
}

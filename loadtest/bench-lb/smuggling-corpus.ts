/**
 * Malformed and ambiguous requests (request smuggling, header abuse) sent on raw sockets. Each must
 * be answered 400 or 431 with the connection closed, and nothing may reach a backend — including
 * the request smuggled behind it. Used by the LB's integration tests and by the HAProxy comparison
 * (corpus-vs-haproxy.ts).
 */
export interface CorpusCase {
  readonly name: string;
  readonly raw: string;
  /** What the LB must answer. */
  readonly expect: 400 | 431;
}

const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n';
const manyHeaders = Array.from({ length: 150 }, (_, i) => `X-H${i}: v\r\n`).join('');

export const SMUGGLING_CORPUS: readonly CorpusCase[] = [
  {
    name: 'CL.TE: Content-Length and chunked',
    raw: `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
    expect: 400,
  },
  {
    name: 'TE.CL: chunked then Content-Length',
    raw: `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    name: 'two Content-Length values',
    raw: `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}`,
    expect: 400,
  },
  {
    name: 'two equal Content-Length',
    raw: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc',
    expect: 400,
  },
  {
    name: 'Content-Length list',
    raw: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc',
    expect: 400,
  },
  {
    name: 'Content-Length with a plus sign',
    raw: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc',
    expect: 400,
  },
  {
    name: 'negative Content-Length',
    raw: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n',
    expect: 400,
  },
  {
    name: 'hex Content-Length',
    raw: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x3\r\n\r\nabc',
    expect: 400,
  },
  {
    name: 'two Transfer-Encoding headers',
    raw: `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n${smuggled}`,
    expect: 400,
  },
  {
    name: 'Transfer-Encoding: identity',
    raw: `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n${smuggled}`,
    expect: 400,
  },
  {
    name: 'Transfer-Encoding: gzip, chunked',
    raw: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  {
    name: 'Transfer-Encoding: xchunked',
    raw: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  {
    name: 'Transfer-Encoding: chunked, chunked',
    raw: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  {
    name: 'space before the colon',
    raw: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  {
    name: 'chunked on HTTP/1.0',
    raw: `POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
    expect: 400,
  },
  {
    name: 'obs-fold header continuation',
    raw: 'GET / HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n two\r\n\r\n',
    expect: 400,
  },
  {
    name: 'obs-fold of Transfer-Encoding',
    raw: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  { name: 'bare LF line endings', raw: 'GET / HTTP/1.1\nHost: a\n\n', expect: 400 },
  {
    name: 'bare LF inside the headers',
    raw: 'GET / HTTP/1.1\r\nHost: a\nX-A: b\r\n\r\n',
    expect: 400,
  },
  {
    name: 'bare CR inside a header value',
    raw: 'GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n',
    expect: 400,
  },
  {
    name: 'NUL in a header value',
    raw: 'GET / HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n',
    expect: 400,
  },
  { name: 'NUL in the path', raw: 'GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n', expect: 400 },
  { name: 'duplicate Host', raw: 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', expect: 400 },
  { name: 'missing Host on HTTP/1.1', raw: 'GET / HTTP/1.1\r\nAccept: */*\r\n\r\n', expect: 400 },
  { name: 'Host with a path in it', raw: 'GET / HTTP/1.1\r\nHost: a/b\r\n\r\n', expect: 400 },
  {
    name: 'absolute-form target',
    raw: 'GET http://evil.test/ HTTP/1.1\r\nHost: a\r\n\r\n',
    expect: 400,
  },
  {
    name: 'authority-form CONNECT',
    raw: 'CONNECT evil.test:443 HTTP/1.1\r\nHost: evil.test:443\r\n\r\n',
    expect: 400,
  },
  {
    name: 'scheme-relative target',
    raw: 'GET //evil.test/x HTTP/1.1\r\nHost: a\r\n\r\n',
    expect: 400,
  },
  {
    name: 'space in a header name',
    raw: 'GET / HTTP/1.1\r\nHost: a\r\nX Bad: b\r\n\r\n',
    expect: 400,
  },
  {
    name: 'header line without a colon',
    raw: 'GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n',
    expect: 400,
  },
  { name: 'invalid method characters', raw: 'G@T / HTTP/1.1\r\nHost: a\r\n\r\n', expect: 400 },
  { name: 'unknown HTTP version', raw: 'GET / HTTP/3.7\r\nHost: a\r\n\r\n', expect: 400 },
  {
    name: 'HTTP/2 preface on an HTTP/1 port',
    raw: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    expect: 400,
  },
  { name: 'too many headers', raw: `GET / HTTP/1.1\r\nHost: a\r\n${manyHeaders}\r\n`, expect: 431 },
  {
    name: 'one header too large',
    raw: `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    expect: 431,
  },
];

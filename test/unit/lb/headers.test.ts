import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dropConnectionNamed } from '../../../services/lb/headers/hop-by-hop.ts';
import { inspectRequest } from '../../../services/lb/headers/request.ts';
import { filterResponseHeaders } from '../../../services/lb/headers/response.ts';

interface Row {
  name: string;
  method?: string;
  url?: string;
  minor?: number;
  raw: string[];
  status: 0 | 400 | 431;
  code?: string;
  forwarded?: string[];
}

const table: Row[] = [
  {
    name: 'plain GET',
    raw: ['Host', 'a.test', 'Accept', '*/*'],
    status: 0,
    forwarded: ['Host', 'a.test', 'Accept', '*/*'],
  },
  {
    name: 'hop-by-hop and forwarding headers dropped',
    raw: [
      'Host',
      'a',
      'Connection',
      'keep-alive, X-Secret',
      'X-Secret',
      '1',
      'Keep-Alive',
      'timeout=5',
      'TE',
      'trailers',
      'Upgrade',
      'h2c',
      'Proxy-Authorization',
      'x',
      'X-Forwarded-For',
      '6.6.6.6',
      'X-Forwarded-Proto',
      'https',
      'X-Forwarded-Host',
      'evil',
      'Forwarded',
      'for=1.2.3.4',
      'X-Real-IP',
      '1.1.1.1',
      'X-Request-Id',
      'mine',
      'Expect',
      '100-continue',
      'X-Keep',
      'y',
    ],
    status: 0,
    forwarded: ['Host', 'a', 'X-Keep', 'y'],
  },
  {
    name: 'Connection names a header that comes before it',
    raw: ['Host', 'a', 'X-A', '1', 'Connection', 'x-a'],
    status: 0,
    forwarded: ['Host', 'a'],
  },
  {
    name: 'cookie kept aside, not forwarded as is',
    raw: ['Host', 'a', 'Cookie', 'a=1', 'Cookie', 'b=2'],
    status: 0,
    forwarded: ['Host', 'a'],
  },
  { name: 'duplicate Host', raw: ['Host', 'a', 'Host', 'b'], status: 400, code: 'LB_ERR_BAD_HOST' },
  {
    name: 'missing Host on HTTP/1.1',
    raw: ['Accept', '*/*'],
    status: 400,
    code: 'LB_ERR_BAD_HOST',
  },
  { name: 'missing Host on HTTP/1.0 is allowed', minor: 0, raw: [], status: 0, forwarded: [] },
  { name: 'Host with a space', raw: ['Host', 'a b'], status: 400, code: 'LB_ERR_BAD_HOST' },
  { name: 'Host with a path', raw: ['Host', 'a/b'], status: 400, code: 'LB_ERR_BAD_HOST' },
  {
    name: 'absolute-form target',
    url: 'http://evil.test/',
    raw: ['Host', 'a'],
    status: 400,
    code: 'LB_ERR_BAD_TARGET',
  },
  {
    name: 'authority-form target',
    method: 'CONNECT',
    url: 'evil.test:443',
    raw: ['Host', 'a'],
    status: 400,
    code: 'LB_ERR_BAD_TARGET',
  },
  {
    name: 'scheme-relative target',
    url: '//evil.test/x',
    raw: ['Host', 'a'],
    status: 400,
    code: 'LB_ERR_BAD_TARGET',
  },
  {
    name: 'asterisk for OPTIONS',
    method: 'OPTIONS',
    url: '*',
    raw: ['Host', 'a'],
    status: 0,
    forwarded: ['Host', 'a'],
  },
  {
    name: 'asterisk for GET',
    url: '*',
    raw: ['Host', 'a'],
    status: 400,
    code: 'LB_ERR_BAD_TARGET',
  },
  {
    name: 'CL + TE',
    method: 'POST',
    raw: ['Host', 'a', 'Content-Length', '5', 'Transfer-Encoding', 'chunked'],
    status: 400,
    code: 'LB_ERR_BAD_FRAMING',
  },
  {
    name: 'two Content-Length',
    method: 'POST',
    raw: ['Host', 'a', 'Content-Length', '5', 'Content-Length', '5'],
    status: 400,
    code: 'LB_ERR_BAD_FRAMING',
  },
  {
    name: 'two Transfer-Encoding',
    method: 'POST',
    raw: ['Host', 'a', 'Transfer-Encoding', 'chunked', 'Transfer-Encoding', 'chunked'],
    status: 400,
    code: 'LB_ERR_BAD_FRAMING',
  },
  {
    name: 'TE identity',
    method: 'POST',
    raw: ['Host', 'a', 'Transfer-Encoding', 'identity'],
    status: 400,
    code: 'LB_ERR_BAD_FRAMING',
  },
  {
    name: 'TE gzip, chunked',
    method: 'POST',
    raw: ['Host', 'a', 'Transfer-Encoding', 'gzip, chunked'],
    status: 400,
    code: 'LB_ERR_BAD_FRAMING',
  },
  {
    name: 'TE on HTTP/1.0',
    method: 'POST',
    minor: 0,
    raw: ['Host', 'a', 'Transfer-Encoding', 'chunked'],
    status: 400,
    code: 'LB_ERR_BAD_FRAMING',
  },
  {
    name: 'TE chunked is fine (not forwarded: hop-by-hop)',
    method: 'POST',
    raw: ['Host', 'a', 'Transfer-Encoding', 'Chunked'],
    status: 0,
    forwarded: ['Host', 'a'],
  },
  {
    name: 'too many headers',
    raw: ['Host', 'a', ...Array.from({ length: 20 }, (_, i) => [`X-${i}`, 'v']).flat()],
    status: 431,
    code: 'LB_ERR_TOO_MANY_HEADERS',
  },
];

for (const row of table) {
  test(`request rules: ${row.name}`, () => {
    const out: string[] = [];
    const r = inspectRequest(row.method ?? 'GET', row.url ?? '/', row.minor ?? 1, row.raw, 20, out);
    assert.equal(r.status, row.status);
    if (row.code !== undefined) assert.equal(r.code, row.code);
    if (row.forwarded !== undefined) assert.deepEqual(out, row.forwarded);
  });
}

const bodies: [string, string[], boolean][] = [
  ['no body headers', ['Host', 'a'], false],
  ['Content-Length 0', ['Host', 'a', 'Content-Length', '0'], false],
  ['Content-Length 3', ['Host', 'a', 'Content-Length', '3'], true],
  ['chunked', ['Host', 'a', 'Transfer-Encoding', 'chunked'], true],
];
for (const [name, raw, hasBody] of bodies) {
  test(`body detection: ${name}`, () => {
    assert.equal(inspectRequest('POST', '/', 1, raw, 10, []).hasBody, hasBody);
  });
}

test('the Cookie headers are joined for the sticky step', () => {
  const r = inspectRequest(
    'GET',
    '/',
    1,
    ['Host', 'a', 'Cookie', 'a=1', 'Cookie', 'lb_srv=x'],
    10,
    [],
  );
  assert.equal(r.cookie, 'a=1; lb_srv=x');
});

test('response rules: hop-by-hop (and what Connection names) and HSTS dropped, rest kept in order', () => {
  const out: string[] = [];
  filterResponseHeaders(
    [
      'Content-Type',
      'text/plain',
      'Connection',
      'X-Internal',
      'X-Internal',
      'secret',
      'Keep-Alive',
      'timeout=72',
      'Transfer-Encoding',
      'chunked',
      'Set-Cookie',
      'a=1',
      'Set-Cookie',
      'b=2',
      'Strict-Transport-Security',
      'max-age=1',
      'Upgrade',
      'h2',
      'X-Served-By',
      'web-1',
    ],
    out,
  );
  assert.deepEqual(out, [
    'Content-Type',
    'text/plain',
    'Set-Cookie',
    'a=1',
    'Set-Cookie',
    'b=2',
    'X-Served-By',
    'web-1',
  ]);
});

const dropTable: [string, string[], string[], string[]][] = [
  ['nothing named', ['A', '1', 'B', '2'], [], ['A', '1', 'B', '2']],
  [
    'named headers go, any case',
    ['X-Secret', '1', 'B', '2', 'x-secret', '3'],
    ['x-secret'],
    ['B', '2'],
  ],
  ['several names', ['A', '1', 'B', '2', 'C', '3'], ['a', 'c'], ['B', '2']],
];
for (const [name, input, named, expected] of dropTable) {
  test(`dropConnectionNamed: ${name}`, () => {
    const out = [...input];
    dropConnectionNamed(out, named);
    assert.deepEqual(out, expected);
  });
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Breaker } from '../../../services/shared/breaker.ts';
import { checkLimits, ImageRejectedError } from '../../../services/shared/media/image.ts';
import {
  contentTypeOf,
  isObjectKey,
  originalKey,
  thumbnailKey,
} from '../../../services/shared/storage/keys.ts';
import { sniffImageType } from '../../../services/web/media/sniff.ts';
import { escapeHtml, renderTemplate } from '../../../services/web/pages/assets.ts';
import { decodeCursor, encodeCursor } from '../../../services/web/posts/cursor.ts';
import { roleServes } from '../../../services/web/route-config.ts';
import {
  lookupReply,
  MAX_REMEMBERED,
  rememberReply,
} from '../../../services/web/sessions/replies.ts';
import { isSessionId, newSessionId } from '../../../services/web/sessions/session-id.ts';
import { decodeSession } from '../../../services/web/sessions/store.ts';
import {
  addToCart,
  MAX_LINES,
  MAX_QTY,
  priceCart,
  removeFromCart,
} from '../../../services/web/shop/cart.ts';
import { trustedProxies, trustedProxyEntry } from '../../../services/web/trusted-proxies.ts';

test('object keys: only shapes the server makes are accepted', () => {
  const original = originalKey('image/png');
  const thumbnail = thumbnailKey(original, 256);
  const cases: [string, boolean][] = [
    [original, true],
    [thumbnail, true],
    [original.replace('original.png', 'thumbnail.webp'), true],
    [original.replace('original.png', 'thumbnail-0.webp'), false],
    [original.replace('original.png', 'thumbnail-12345.webp'), false],
    [original.replace('original.png', 'thumbnail-256.png'), false],
    ['static/0123456789abcdef/app.js', true],
    ['media/../../etc/passwd', false],
    ['media/%2e%2e/original.png', false],
    [`${original}/../../x`, false],
    [original.replace('original.png', 'original.exe'), false],
    ['static/0123456789abcdef/../app.js', false],
    ['static/0123456789abcdef/.hidden.js', false],
    ['/etc/passwd', false],
    ['', false],
    [`${original}\0`, false],
  ];
  for (const [key, ok] of cases) assert.equal(isObjectKey(key), ok, JSON.stringify(key));
  assert.match(original, /\.png$/);
  assert.equal(contentTypeOf(thumbnail), 'image/webp');
  assert.equal(thumbnail, original.replace('original.png', 'thumbnail-256.webp'));
  assert.equal(thumbnailKey(original.replace('.png', '.jpg'), 256), thumbnail, 'from the folder');
  assert.throws(() => thumbnailKey('static/0123456789abcdef/app.js', 256));
  assert.equal(contentTypeOf('static/x/y.unknown'), 'application/octet-stream');
});

test('image type comes from magic bytes only', () => {
  const b = (...bytes: number[]) => Uint8Array.from(bytes);
  const text = (s: string) => new TextEncoder().encode(s);
  const cases: [Uint8Array, string | undefined][] = [
    [b(0xff, 0xd8, 0xff, 0xe0), 'image/jpeg'],
    [b(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0), 'image/png'],
    [text('GIF89a...'), 'image/gif'],
    [text('GIF87a...'), 'image/gif'],
    [text('RIFF\0\0\0\0WEBPVP8 '), 'image/webp'],
    [text('RIFF\0\0\0\0WAVEfmt '), undefined],
    [text('<?php echo 1; ?>'), undefined],
    [text('<svg xmlns="http://www.w3.org/2000/svg"/>'), undefined],
    [b(0xff, 0xd8), undefined],
    [b(), undefined],
  ];
  for (const [bytes, type] of cases) assert.equal(sniffImageType(bytes), type);
});

test('pixel and frame limits', () => {
  const limits = { maxPixels: 1000, maxFrames: 3 };
  checkLimits({ width: 10, height: 100, frames: 3 }, limits);
  assert.throws(
    () => checkLimits({ width: 10, height: 101, frames: 1 }, limits),
    (e: unknown) => e instanceof ImageRejectedError && e.reason === 'too-many-pixels',
  );
  assert.throws(
    () => checkLimits({ width: 1, height: 1, frames: 4 }, limits),
    (e: unknown) => e instanceof ImageRejectedError && e.reason === 'too-many-frames',
  );
});

test('cart arithmetic', () => {
  const products = new Map([
    ['A', { sku: 'A', name: 'a', priceCents: 100 }],
    ['B', { sku: 'B', name: 'b', priceCents: 250 }],
  ]);
  let cart = addToCart({}, 'A', 2) ?? {};
  cart = addToCart(cart, 'B', 1) ?? {};
  cart = addToCart(cart, 'A', 98) ?? {};
  assert.equal(cart.A, MAX_QTY);
  assert.deepEqual(priceCart(cart, products), {
    items: [
      { sku: 'A', name: 'a', qty: 99, priceCents: 100, lineCents: 9900 },
      { sku: 'B', name: 'b', qty: 1, priceCents: 250, lineCents: 250 },
    ],
    count: 100,
    totalCents: 10150,
  });
  assert.deepEqual(removeFromCart(cart, 'A'), { B: 1 });
  assert.equal(priceCart({ GONE: 1 }, products).items.length, 0, 'unknown products are dropped');
  const full = Object.fromEntries(Array.from({ length: MAX_LINES }, (_, i) => [`S${i}`, 1]));
  assert.equal(addToCart(full, 'NEW', 1), undefined);
  assert.ok(addToCart(full, 'S0', 1), 'an existing line can still grow');
});

test('feed cursors round-trip and reject junk', () => {
  const cursor = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: 42n };
  assert.deepEqual(decodeCursor(encodeCursor(cursor)), cursor);
  for (const junk of ['', 'abc', '1-', '-1', '1-2-3', '9999999999999999-1', "1-1' OR 1=1"]) {
    assert.equal(decodeCursor(junk), undefined, junk);
  }
  assert.equal(decodeCursor(undefined), undefined);
});

test('session ids and stored sessions', () => {
  const id = newSessionId();
  assert.ok(isSessionId(id));
  assert.notEqual(newSessionId(), id);
  for (const bad of ['', 'x', `${id}=`, `${id.slice(1)}!`, id.slice(1), `${id}a`, undefined, 42])
    assert.equal(isSessionId(bad), false);
  assert.deepEqual(decodeSession('{"userId":1,"username":"bob","createdAt":5,"cart":{}}'), {
    userId: 1,
    username: 'bob',
    createdAt: 5,
    cart: {},
  });
  for (const bad of [
    '',
    'null',
    '[]',
    '{"userId":"01","username":"bob","createdAt":5,"cart":{}}',
    '{"userId":"1 OR 1","username":"bob","createdAt":5,"cart":{}}',
    '{"userId":1}',
    '{',
  ]) {
    assert.equal(decodeSession(bad), undefined, bad);
  }
});

test('idempotent session replies', () => {
  assert.deepEqual(lookupReply(undefined, 'k', 'h'), { kind: 'new' });
  assert.deepEqual(lookupReply(undefined, undefined, 'h'), { kind: 'new' });
  let replies = rememberReply(undefined, 'k', 'h', { n: 1 });
  assert.deepEqual(lookupReply(replies, 'k', 'h'), { kind: 'replay', body: { n: 1 } });
  assert.deepEqual(lookupReply(replies, 'k', 'other'), { kind: 'conflict' });
  for (let i = 0; i < MAX_REMEMBERED + 5; i++) replies = rememberReply(replies, `k${i}`, 'h', i);
  assert.equal(Object.keys(replies ?? {}).length, MAX_REMEMBERED);
  assert.equal(lookupReply(replies, 'k', 'h').kind, 'new', 'the oldest are forgotten');
  assert.equal(rememberReply(replies, undefined, 'h', 1), replies);
});

test('circuit breaker opens, half-opens one trial, closes on success', () => {
  let now = 0;
  const breaker = new Breaker({ threshold: 2, openMs: 100, now: () => now });
  assert.ok(breaker.allow());
  breaker.failed();
  assert.equal(breaker.state, 'closed');
  breaker.failed();
  assert.equal(breaker.state, 'open');
  assert.equal(breaker.allow(), false);
  now = 100;
  assert.equal(breaker.state, 'half-open');
  assert.ok(breaker.allow());
  assert.equal(breaker.allow(), false, 'only one trial at a time');
  breaker.failed();
  assert.equal(breaker.state, 'open');
  now = 200;
  assert.ok(breaker.allow());
  breaker.succeeded();
  assert.equal(breaker.state, 'closed');
});

test('templates escape values and keep unknown names', () => {
  assert.equal(
    renderTemplate('<p>{{a}} {{b.c}} {{zz}}</p>', { a: '<script>', 'b.c': '"x"&' }),
    '<p>&#60;script&#62; &#34;x&#34;&#38; {{zz}}</p>',
  );
  assert.equal(escapeHtml("'"), '&#39;');
});

test('roles decide which routes a pool serves', () => {
  const cases: [Parameters<typeof roleServes>[0], Parameters<typeof roleServes>[1], boolean][] = [
    ['all', 'write', true],
    ['all', undefined, true],
    ['read', 'read', true],
    ['read', 'write', false],
    ['read', 'web', false],
    ['read', 'public', true],
    ['write', 'write', true],
    ['write', 'read', false],
    ['write', undefined, false],
  ];
  for (const [role, access, expected] of cases)
    assert.equal(roleServes(role, access), expected, `${role}/${access}`);
});

test('trusted proxies: addresses, ranges and re-resolved host names', async () => {
  let lbAddress = '10.0.0.5';
  const proxies = await trustedProxies(['127.0.0.1', '192.168.0.0/16', 'lb'], {
    refreshMs: 10,
    resolve: async (host) => (host === 'lb' ? [lbAddress] : []),
  });
  try {
    const cases: [string, boolean][] = [
      ['127.0.0.1', true],
      ['::ffff:127.0.0.1', true],
      ['127.0.0.2', false],
      ['192.168.44.1', true],
      ['10.0.0.5', true],
      ['10.0.0.6', false],
      ['not an address', false],
    ];
    for (const [address, trusted] of cases) assert.equal(proxies.trusts(address), trusted, address);
    lbAddress = '10.0.0.6';
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(
      proxies.trusts('10.0.0.6'),
      true,
      'a new address of the LB is trusted after a refresh',
    );
    assert.equal(proxies.trusts('10.0.0.5'), false, 'and the old one no longer');
  } finally {
    proxies.close();
  }
});

test('trusted proxies: a name that does not resolve yet is retried soon, not after the refresh', async () => {
  let up = false;
  const proxies = await trustedProxies(['lb'], {
    refreshMs: 60_000,
    retryMs: 10,
    resolve: async () => {
      if (!up) throw new Error('ENOTFOUND lb');
      return ['10.0.0.9'];
    },
  });
  try {
    assert.equal(proxies.trusts('10.0.0.9'), false);
    up = true;
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(proxies.trusts('10.0.0.9'), true, 'trusted once the LB exists');
  } finally {
    proxies.close();
  }
});

test('TRUST_PROXY entries: addresses, ranges that fit their family, host names', () => {
  const cases: [string, boolean][] = [
    ['127.0.0.1', true],
    ['10.0.0.0/8', true],
    ['10.0.0.0/32', true],
    ['10.0.0.0/33', false],
    ['10.0.0.0/abc', false],
    ['10.0.0.0/', false],
    ['fd00::/8', true],
    ['fd00::/129', false],
    ['lb', true],
    ['lb.internal.example', true],
    ['lb/8', false],
    ['-lb', false],
    ['a/b/c', false],
  ];
  for (const [entry, ok] of cases)
    assert.equal(trustedProxyEntry.parse(entry) !== undefined, ok, entry);
});

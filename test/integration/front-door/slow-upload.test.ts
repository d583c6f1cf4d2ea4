/**
 * Item 7 of issue 6, against the shared test stack (the product's LB and web settings): a 9 MiB
 * image uploaded at about 2.2 Mbit/s takes longer than LB_RESPONSE_TIMEOUT_MS (30 s). The LB
 * times the backend from the end of the body, so the upload succeeds and nobody is ejected.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect } from 'node:tls';
import sharp from 'sharp';
import { Client } from '../../support/http.ts';
import type { LbStats } from '../../support/own-stack.ts';
import { readStackFile, serviceOf } from '../../support/stack.ts';

const SECONDS = 34;

test('a 9 MiB upload at 2.2 Mbit/s (34 s) through the LB: 201, not a 504', async () => {
  const stack = readStackFile();
  const lb = serviceOf(stack, 'lb');
  const ca = readFileSync(join(lb.dataDir, 'dev-cert.pem'));
  const entry = new URL(stack.entry ?? '');
  const client = new Client(entry.href, { ca });
  const user = { username: `slow_${Date.now().toString(36)}`, password: 'slow-upload-1' };
  assert.equal((await client.post('/api/users', { json: user })).status, 201);
  assert.equal((await client.post('/api/sessions', { json: user })).status, 200);
  const [width, height] = [1700, 1800];
  const png = await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  const boundary = `----slow${randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n` +
        'Content-Type: image/png\r\n\r\n',
    ),
    png,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const stats = async () =>
    (await (await fetch(`http://${lb.host}:${lb.ports.admin}/stats.json`)).json()) as LbStats;
  const ejectionsBefore = (await stats()).pools.flatMap((p) => p.backends.map((b) => b.ejections));

  const started = performance.now();
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect({ host: entry.hostname, port: Number(entry.port), ca });
    let text = '';
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
    socket.write(
      `POST /api/media HTTP/1.1\r\nHost: ${entry.host}\r\nCookie: sid=${client.cookies.get('sid')}\r\n` +
        `Content-Type: multipart/form-data; boundary=${boundary}\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    );
    const pieces = SECONDS * 10;
    const size = Math.ceil(body.length / pieces);
    let sent = 0;
    const next = () => {
      if (socket.destroyed || sent >= body.length) return;
      socket.write(body.subarray(sent, sent + size));
      sent += size;
      setTimeout(next, 100);
    };
    next();
  });
  const seconds = (performance.now() - started) / 1000;
  assert.ok(seconds > 31, `the upload took longer than the response timeout (${seconds} s)`);
  assert.match(answer.slice(0, 40), /^HTTP\/1\.1 201 /, answer.slice(0, 300));
  const ejectionsAfter = (await stats()).pools.flatMap((p) => p.backends.map((b) => b.ejections));
  assert.deepEqual(ejectionsAfter, ejectionsBefore, 'no backend ejected');
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import sharp from 'sharp';
import { FormData } from 'undici';
import { headerOf } from '../../support/http.ts';
import { type Format, gifWithFrames, image, pngBomb } from '../../support/images.ts';
import { loggedInClient, startTestWeb } from '../../support/web-app.ts';

interface Media {
  id: number;
  url: string;
  thumbnailUrl: string;
  thumbnail: string;
  contentType: string;
  bytes: number;
  width: number;
  height: number;
}

const form = (
  bytes: Buffer,
  name = 'file',
  type = 'application/octet-stream',
  filename = 'upload.bin',
) => {
  const data = new FormData();
  data.append(name, new Blob([bytes], { type }), filename);
  return data;
};

for (const storage of ['local', 's3'] as const) {
  describe(`uploads with STORAGE=${storage}`, () => {
    const env = { STAGE: storage === 'local' ? '1' : '2' };

    test('every image type round-trips byte-identical with a ready thumbnail', async (t) => {
      const web = await startTestWeb(t, env);
      assert.equal(web.app.storage.kind, storage);
      const { client } = await loggedInClient(web);
      for (const format of ['jpeg', 'png', 'gif', 'webp'] as Format[]) {
        const bytes = await image(format, 640, 480);
        const uploaded = await client.post<Media>('/api/media', {
          form: form(bytes, 'file', 'text/plain', 'lies.txt'),
        });
        assert.equal(uploaded.status, 201, `${format}: ${JSON.stringify(uploaded.body)}`);
        assert.equal(uploaded.body.thumbnail, 'ready');
        assert.equal(
          uploaded.body.contentType,
          `image/${format}`,
          'the type comes from the bytes, not the declared type',
        );
        assert.deepEqual(
          [uploaded.body.width, uploaded.body.height, uploaded.body.bytes],
          [640, 480, bytes.length],
        );

        const original = await web.client().get(uploaded.body.url);
        assert.equal(original.status, 200);
        assert.ok(original.raw.equals(bytes), `${format} original is byte-identical`);
        assert.equal(headerOf(original, 'content-type'), `image/${format}`);
        const etag = headerOf(original, 'etag') ?? '';
        assert.equal(
          (await web.client().get(uploaded.body.url, { headers: { 'if-none-match': etag } }))
            .status,
          304,
        );

        const thumb = await web.client().get(uploaded.body.thumbnailUrl);
        assert.equal(thumb.status, 200);
        const meta = await sharp(thumb.raw).metadata();
        assert.equal(meta.format, 'webp');
        assert.ok((meta.width ?? 0) <= 256 && (meta.height ?? 0) <= 256 && (meta.width ?? 0) > 0);

        const info = await web.client().get<Media>(`/api/media/${uploaded.body.id}`);
        assert.deepEqual(info.body, uploaded.body);
      }
    });

    test('a repeated Idempotency-Key stores one upload', async (t) => {
      const web = await startTestWeb(t, env);
      const { client, id } = await loggedInClient(web);
      const bytes = await image('png', 64, 64);
      const send = () =>
        client.post<Media>('/api/media', {
          form: form(bytes),
          headers: { 'idempotency-key': 'upload-1' },
        });
      const first = await send();
      const second = await send();
      assert.equal(second.status, 201);
      assert.deepEqual(second.body, first.body);
      const [rows] = await (await web.sql()).query<RowDataPacket[]>(
        'SELECT COUNT(*) AS n FROM media WHERE user_id = ?',
        [id],
      );
      assert.equal(Number(rows[0]?.n), 1);
    });
  });
}

test('hostile and broken uploads are refused with clear errors', async (t) => {
  // Lower limits (defaults 10 MiB, 40 Mpx, 100 frames) keep the hostile files small and quick to
  // make; the same checks apply at any limit (checkLimits in test/unit/web/pure.test.ts).
  const web = await startTestWeb(t, {
    STAGE: '1',
    UPLOAD_MAX_BYTES: String(1024 * 1024),
    IMAGE_MAX_PIXELS: '4000000',
    IMAGE_MAX_FRAMES: '50',
  });
  const { client, id } = await loggedInClient(web);
  const jpeg = await image('jpeg', 800, 600);
  const cases: [string, () => Promise<{ status: number; body: unknown }>, number, string][] = [
    [
      'a script declared as PNG',
      () =>
        client.post('/api/media', {
          form: form(Buffer.from('<?php system($_GET[1]); ?>'), 'file', 'image/png', 'x.png'),
        }),
      415,
      'WEB_ERR_UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'an SVG',
      () =>
        client.post('/api/media', {
          form: form(
            Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'),
            'file',
            'image/svg+xml',
          ),
        }),
      415,
      'WEB_ERR_UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a truncated JPEG',
      () => client.post('/api/media', { form: form(jpeg.subarray(0, jpeg.length / 2)) }),
      422,
      'WEB_ERR_IMAGE_REJECTED',
    ],
    [
      'a 2.5-gigapixel PNG header',
      () => client.post('/api/media', { form: form(pngBomb(50_000, 50_000)) }),
      422,
      'WEB_ERR_IMAGE_REJECTED',
    ],
    [
      'a GIF with 5,000 frames',
      () => client.post('/api/media', { form: form(gifWithFrames(5000)) }),
      422,
      'WEB_ERR_IMAGE_REJECTED',
    ],
    [
      'a file over the limit',
      () =>
        client.post('/api/media', { form: form(Buffer.concat([jpeg, Buffer.alloc(1024 * 1024)])) }),
      413,
      'WEB_ERR_BODY_TOO_LARGE',
    ],
    [
      'the wrong field name',
      () => client.post('/api/media', { form: form(jpeg, 'image') }),
      400,
      'WEB_ERR_FILE_MISSING',
    ],
    [
      'JSON instead of multipart',
      () => client.post('/api/media', { json: { file: 'x' } }),
      415,
      'WEB_ERR_UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'no session',
      () => web.client().post('/api/media', { form: form(jpeg) }),
      401,
      'WEB_ERR_NOT_LOGGED_IN',
    ],
  ];
  for (const [name, send, status, code] of cases) {
    const reply = (await send()) as { status: number; body: { error?: { code?: string } } };
    assert.equal(reply.status, status, `${name}: ${JSON.stringify(reply.body)}`);
    assert.equal(reply.body.error?.code, code, name);
  }
  const [rows] = await (await web.sql()).query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM media WHERE user_id = ?',
    [id],
  );
  assert.equal(Number(rows[0]?.n), 0, 'nothing was stored');
});

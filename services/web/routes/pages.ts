/** The explorer page at `/` and its assets. */
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../shared/http-error.ts';
import { staticKey } from '../../shared/storage/keys.ts';
import type { WebConfig } from '../config.ts';
import { loadAssets, publishAssets, renderTemplate } from '../pages/assets.ts';
import { untilPublished } from '../pages/publish-retry.ts';
import { errorResponses } from './schemas.ts';

/** Next to this folder in the source tree; `npm run build` copies it next to the compiled code. */
const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
/** A backstop: each request of an attempt has the store's own timeout (S3_TIMEOUT_MS). */
const PUBLISH_ATTEMPT_TIMEOUT_MS = 120_000;

export default async function pageRoutes(
  app: FastifyInstance,
  { config }: { config: WebConfig },
): Promise<void> {
  const set = await loadAssets(PUBLIC_DIR);
  const values: Record<string, string> = {
    stage: String(config.flags.stage),
    server: config.SERVER_ID,
    sessionStore: config.flags.sessionStore,
    storage: config.flags.storage,
    readFrom: config.flags.readFrom,
  };
  const template = set.assets.get('index.html')?.body.toString('utf8') ?? '';
  // Where the page links each asset: this app's /static/ until they are in the object store, then
  // /files/static/<version>/ on this app or, with CDN=on, on the edge.
  const render = (linkOf: (name: string) => string) => {
    for (const name of set.assets.keys()) values[name] = linkOf(name);
    return renderTemplate(template, values);
  };
  let page = render((name) => `/static/${name}`);
  if (app.storage.kind === 's3') {
    // In the background (publish-retry.ts): the start never waits for the object store.
    const closing = new AbortController();
    app.addHook('onClose', async () => closing.abort());
    const store = app.storage;
    void untilPublished({
      attempt: () => publishAssets(set, store),
      attemptTimeoutMs: PUBLISH_ATTEMPT_TIMEOUT_MS,
      firstDelayMs: 1000,
      maxDelayMs: 30_000,
      signal: closing.signal,
      onFailure: (error, attempt, retryInMs) =>
        app.log.warn(
          { err: error, attempt, retryInMs },
          'could not publish static assets to the object store; serving them locally meanwhile',
        ),
    }).then((copied) => {
      if (copied === undefined) return;
      page = render((name) => app.cdn.fileUrl(staticKey(set.version, name)));
      app.log.info({ version: set.version, copied }, 'static assets published to the object store');
    });
  }

  app.get('/', { config: { access: 'web' } }, async (_request, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(page),
  );

  app.get<{ Params: { name: string } }>(
    '/static/:name',
    {
      config: { access: 'public' },
      schema: {
        params: {
          type: 'object',
          properties: { name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$' } },
        },
        response: errorResponses,
      },
    },
    async (request, reply) => {
      const asset = set.assets.get(request.params.name);
      if (asset === undefined || asset.name === 'index.html')
        throw new HttpError(404, 'WEB_ERR_FILE_NOT_FOUND', 'no such file');
      return reply
        .header('content-type', asset.contentType)
        .header('cache-control', 'public, max-age=300')
        .header('x-content-type-options', 'nosniff')
        .send(asset.body);
    },
  );
}

/**
 * The CDN edge as `app.cdn` (CDN=on): the URLs the pages and the API hand out for stored objects,
 * and purges sent to the edge's admin listener when an object changes or goes. With CDN=off the
 * URLs are the app's own `/files/<key>` and there is nothing to purge.
 * A purge that cannot reach the edge is retried once, then logged and counted: the object is
 * already gone from the store, and the edge keeps it only until its freshness ends.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { WebConfig } from '../config.ts';

export interface PurgeRequest {
  readonly keys?: readonly string[];
  readonly prefixes?: readonly string[];
}

export interface CdnLink {
  readonly enabled: boolean;
  fileUrl(key: string): string;
  /** True when the edge confirmed the purge (or there is no edge). */
  purge(request: PurgeRequest): Promise<boolean>;
}

declare module 'fastify' {
  interface FastifyInstance {
    cdn: CdnLink;
  }
}

const ATTEMPTS = 2;

export function cdnLink(config: WebConfig, app: FastifyInstance): CdnLink {
  const { CDN_URL: url, CDN_ADMIN_URL: admin, CDN_PURGE_TOKEN: token } = config;
  if (config.flags.cdn !== 'on' || url === undefined || admin === undefined || !token)
    return { enabled: false, fileUrl: (key) => `/files/${key}`, purge: async () => true };
  const origin = url.origin;
  const purgeUrl = new URL('/purge', admin);
  const once = async (body: string): Promise<boolean> => {
    const response = await fetch(purgeUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(config.CDN_PURGE_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    return response.ok;
  };
  return {
    enabled: true,
    fileUrl: (key) => `${origin}/files/${key}`,
    async purge(request) {
      const body = JSON.stringify({ keys: request.keys ?? [], prefixes: request.prefixes ?? [] });
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        try {
          if (await once(body)) {
            app.metrics.cdnPurges.inc({ outcome: 'purged' });
            return true;
          }
        } catch (error) {
          app.log.warn({ err: error, attempt }, 'CDN purge failed');
        }
      }
      app.metrics.cdnPurges.inc({ outcome: 'failed' });
      app.log.error(
        { purge: request },
        'CDN purge failed: the edge serves these until they expire',
      );
      return false;
    },
  };
}

async function cdnPlugin(app: FastifyInstance, { config }: { config: WebConfig }): Promise<void> {
  app.decorate('cdn', cdnLink(config, app));
}

export default fp(cdnPlugin, { name: 'cdn', dependencies: ['metrics'] });

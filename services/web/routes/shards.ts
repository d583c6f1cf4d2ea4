/**
 * GET /api/shards: the shard map as the directory holds it now (logical ranges → servers, each
 * server with its replicas), for the explorer; `{ "sharded": false }` on an unsharded stack. When
 * the directory does not answer, this web server's copy (re-read every SHARD_MAP_REFRESH_MS).
 */
import type { FastifyInstance } from 'fastify';
import type { ShardMap } from '../../shared/shard/shard-map.ts';
import { describeShardMap, type ShardMapView } from '../sharding/describe.ts';
import { readShardMap } from '../sharding/map-store.ts';
import { errorResponses } from './schemas.ts';

const view = {
  type: 'object',
  required: ['sharded'],
  properties: {
    sharded: { type: 'boolean' },
    logicalShards: { type: 'integer' },
    map: { type: 'string' },
    ranges: {
      type: 'array',
      items: {
        type: 'object',
        required: ['from', 'to', 'server'],
        properties: {
          from: { type: 'integer' },
          to: { type: 'integer' },
          server: { type: 'string' },
        },
      },
    },
    servers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'replicas', 'logicalShards'],
        properties: {
          name: { type: 'string' },
          logicalShards: { type: 'integer' },
          replicas: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name', 'available'],
              properties: { name: { type: 'string' }, available: { type: 'boolean' } },
            },
          },
        },
      },
    },
    source: { type: 'string', enum: ['directory', 'cached'] },
  },
} as const;

export default async function shardRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/api/shards',
    {
      config: { access: 'read' },
      schema: { response: { 200: view, ...errorResponses } },
    },
    async (request): Promise<ShardMapView | { sharded: false }> => {
      const router = app.shards;
      if (router === undefined) return { sharded: false };
      let map: ShardMap = router.map;
      let source: ShardMapView['source'] = 'directory';
      try {
        map = await readShardMap(app.db.primary, router.servers.length);
      } catch (error) {
        request.log.warn({ err: error }, 'shard map unreadable in the directory: showing our copy');
        source = 'cached';
      }
      const servers = router.servers.map((s) => ({
        name: s.name,
        replicas: s.db.replicas.map((r) => ({ name: r.name, available: r.available })),
      }));
      return describeShardMap(map, servers, source);
    },
  );
}

/**
 * The edge's Prometheus metrics on a registry of its own: requests by cache result, the hit ratio,
 * bytes served from the cache and from the origin, origin fetches by outcome and their latency,
 * and the cache's size (read from the LRU when scraped).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { LruStats } from './cache/lru.ts';

export const RESULTS = ['HIT', 'MISS', 'STALE', 'ERROR', 'REFUSED'] as const;
export type RequestResult = (typeof RESULTS)[number];

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface CdnMetrics {
  readonly registry: Registry;
  request(result: RequestResult, bytes: number): void;
  origin(seconds: number, outcome: string): void;
  purged(entries: number): void;
}

export function createCdnMetrics(stats: () => LruStats): CdnMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'cdn_requests_total',
    help: 'Object requests by cache result (HIT, MISS, STALE served on origin error, ERROR, REFUSED)',
    labelNames: ['result'],
    registers: [registry],
  });
  const bytes = new Counter({
    name: 'cdn_bytes_served_total',
    help: 'Body bytes sent to clients, by source (cache or origin)',
    labelNames: ['source'],
    registers: [registry],
  });
  const byResult = Object.fromEntries(RESULTS.map((r) => [r, requests.labels(r)]));
  const fromCache = bytes.labels('cache');
  const fromOrigin = bytes.labels('origin');
  let hits = 0;
  let lookups = 0;
  new Gauge({
    name: 'cdn_hit_ratio',
    help: 'Share of object lookups answered from the cache (HIT and STALE) since start',
    registers: [registry],
    collect() {
      this.set(lookups === 0 ? 0 : hits / lookups);
    },
  });
  const originDuration = new Histogram({
    name: 'cdn_origin_duration_seconds',
    help: 'Time one origin fetch took, by outcome (found, not-modified, missing, timeout, unavailable)',
    labelNames: ['outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const purges = new Counter({
    name: 'cdn_purged_entries_total',
    help: 'Cache entries removed by purges',
    registers: [registry],
  });
  const size = (name: string, help: string, pick: (s: LruStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(pick(stats()));
      },
    });
  size('cdn_cache_bytes', 'Bytes held by the cache', (s) => s.bytes);
  size('cdn_cache_max_bytes', 'The cache budget (CDN_CACHE_BYTES)', (s) => s.maxBytes);
  size('cdn_cache_entries', 'Objects held by the cache', (s) => s.entries);
  size('cdn_cache_evictions', 'Entries evicted to make room since start', (s) => s.evictions);
  return {
    registry,
    request(result, sent) {
      byResult[result]?.inc();
      if (result === 'HIT' || result === 'STALE' || result === 'MISS') {
        lookups += 1;
        if (result !== 'MISS') hits += 1;
        (result === 'MISS' ? fromOrigin : fromCache).inc(sent);
      }
    },
    origin(seconds, outcome) {
      originDuration.observe({ outcome }, seconds);
    },
    purged(entries) {
      purges.inc(entries);
    },
  };
}

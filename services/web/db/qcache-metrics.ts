/**
 * DB_QUERY_CACHE=on: each database server's query cache counters as `mariadb_qcache{server,
 * counter}` on this web server's /metrics, sampled when Prometheus scrapes (one statement per
 * server, with a short deadline; a server that does not answer keeps its last figures).
 */
import { type Gauge, Gauge as PromGauge, type Registry } from 'prom-client';
import { QCACHE_STATUS_SQL, qcacheFigures } from '../../shared/db/qcache.ts';
import type { DbTarget } from '../../shared/db/target.ts';
import { withDeadline } from '../../shared/deadline.ts';

const SAMPLE_DEADLINE_MS = 1000;

export function registerQcacheMetrics(
  registry: Registry,
  targets: readonly DbTarget[],
): Gauge<'server' | 'counter'> {
  return new PromGauge({
    name: 'mariadb_qcache',
    help: 'MariaDB query cache counters by server (hits, inserts, notCached, lowmemPrunes, invalidated, queriesInCache, freeMemory, selects, hitRatio)',
    labelNames: ['server', 'counter'],
    registers: [registry],
    async collect() {
      await Promise.all(
        targets.map(async (t) => {
          try {
            const rows = await withDeadline(t.rows(QCACHE_STATUS_SQL), SAMPLE_DEADLINE_MS);
            for (const [counter, value] of Object.entries(qcacheFigures(rows)))
              this.set({ server: t.name, counter }, value);
          } catch {
            // Down or slow: the last figures stay; the DB metrics above say why.
          }
        }),
      );
    },
  });
}

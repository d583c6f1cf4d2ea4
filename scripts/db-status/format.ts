/**
 * `make db-status` as text: one line per MariaDB server (role, read-only, GTID position,
 * replication state, the posts table's engine) and its query cache figures. Pure.
 */
import type { QcacheFigures } from '../../services/shared/db/qcache.ts';

export interface ServerStatus {
  readonly name: string;
  readonly address: string;
  /** Undefined when the server did not answer. */
  readonly up?: {
    readonly readOnly: boolean;
    readonly gtidBinlogPos: string;
    /** `replicating from host:port (io Yes, sql Yes, 0 s behind)` or `not a replica`. */
    readonly replication: string;
    readonly postsEngine: string;
    /** `off`, or the semi-sync state of its side(s) (semisyncState). */
    readonly semisync: string;
    readonly queryCache: { readonly type: string; readonly sizeBytes: number };
    readonly qcache: QcacheFigures;
  };
  readonly error?: string;
}

/**
 * One server's semi-sync from SHOW STATUS LIKE 'Rpl_semi_sync_%' and its two `enabled` variables:
 * a replica says whether it acknowledges; a primary whether it waits, for how many replicas, and
 * how many commits were acknowledged by a replica against those that fell back to asynchronous.
 */
export function semisyncState(
  enabled: { readonly master: boolean; readonly slave: boolean },
  status: Readonly<Record<string, string>>,
  isReplica: boolean,
): string {
  if (!enabled.master && !enabled.slave) return 'off';
  if (isReplica) return `acks ${status.Rpl_semi_sync_slave_status ?? '?'}`;
  return `waits ${status.Rpl_semi_sync_master_status ?? '?'} (${status.Rpl_semi_sync_master_clients ?? '?'} replicas; ${status.Rpl_semi_sync_master_yes_tx ?? '?'} acked, ${status.Rpl_semi_sync_master_no_tx ?? '?'} async)`;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => pad(c, widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatDbStatus(servers: readonly ServerStatus[]): string {
  const tier = table(
    [
      'server',
      'address',
      'writable',
      'gtid_binlog_pos',
      'replication',
      'posts engine',
      'semi-sync',
    ],
    servers.map((s) =>
      s.up === undefined
        ? [s.name, s.address, 'DOWN', '', s.error ?? '', '', '']
        : [
            s.name,
            s.address,
            s.up.readOnly ? 'read-only' : 'WRITABLE',
            s.up.gtidBinlogPos || '(empty)',
            s.up.replication,
            s.up.postsEngine,
            s.up.semisync,
          ],
    ),
  );
  const cache = table(
    [
      'server',
      'query cache',
      'hits',
      'selects',
      'hit ratio',
      'inserts',
      'invalidated',
      'lowmem prunes',
      'not cached',
      'in cache',
      'free',
    ],
    servers.flatMap((s) => {
      if (s.up === undefined) return [];
      const q = s.up.qcache;
      const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
      return [
        [
          s.name,
          `${s.up.queryCache.type} ${mb(s.up.queryCache.sizeBytes)}`,
          String(q.hits),
          String(q.selects),
          pct(q.hitRatio),
          String(q.inserts),
          String(q.invalidated),
          String(q.lowmemPrunes),
          String(q.notCached),
          String(q.queriesInCache),
          mb(q.freeMemory),
        ],
      ];
    }),
  );
  return `${tier}\n\nQuery cache (counters since each server started):\n${cache}\n`;
}

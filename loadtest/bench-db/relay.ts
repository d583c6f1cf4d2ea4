/**
 * Replication through a relay: a fault proxy in this process on 127.0.0.1 that forwards a
 * server's replication connection to its source, so a bench can cut or slow the link (the
 * failover and master-master benches).
 */
import type { RowDataPacket } from 'mysql2/promise';
import { FaultProxy } from '../../services/fault-proxy/proxy.ts';
import { connectAsRoot, type DbTier } from '../../services/shared/db/promotion/promote.ts';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface ReplicateOptions {
  /** Wait (bounded, 10 s) until the server's IO thread runs again. */
  readonly waitForIo: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Points `server`'s replication at `source` (STOP SLAVE, CHANGE MASTER, START SLAVE). */
export async function replicateFrom(
  tier: DbTier,
  server: Endpoint,
  source: Endpoint,
  options: ReplicateOptions,
): Promise<void> {
  const db = await connectAsRoot(tier, server);
  try {
    await db.query('STOP SLAVE');
    await db.query('CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?', [source.host, source.port]);
    await db.query('START SLAVE');
    if (!options.waitForIo) return;
    for (let n = 0; n < 100; n++) {
      const [rows] = await db.query<RowDataPacket[]>('SHOW SLAVE STATUS');
      if (rows[0]?.Slave_IO_Running === 'Yes') break;
      await sleep(100);
    }
  } finally {
    await db.end().catch(() => undefined);
  }
}

/**
 * Starts a relay (`replication-<name>`) towards `source` and points `server` at it; the relay is
 * stopped again if pointing fails.
 */
export async function relayReplicationThrough(
  tier: DbTier,
  server: Endpoint & { readonly name: string },
  source: Endpoint,
  options: ReplicateOptions,
): Promise<FaultProxy> {
  const relay = new FaultProxy(
    `replication-${server.name}`,
    { host: '127.0.0.1', port: 0 },
    source,
  );
  await relay.enable();
  try {
    await replicateFrom(tier, server, { host: '127.0.0.1', port: relay.port }, options);
  } catch (error) {
    await relay.disable();
    throw error;
  }
  return relay;
}

/**
 * `make archive`: moves posts older than ARCHIVE_AFTER_DAYS (whole UTC days) from every server
 * that holds posts (mysql-primary, or each mysql-shard-N with SHARDS above 1) to the object store,
 * as gzip JSON-lines files partitioned by date (archive/run.ts says how it stays crash-safe).
 * Prints rows, files, rows per second and each posts table's size before and after.
 */

import { readFileSync } from 'node:fs';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { defaultStackFile } from '../runner/host/paths.ts';
import { readStackFile } from '../runner/stack/read-stack.ts';
import type { StackFile } from '../runner/stack/stack-file.ts';
import { ConfigError, field, integer, parseEnv, text } from '../services/shared/config/env.ts';
import { createS3Client } from '../services/shared/s3-client.ts';
import { S3ObjectStore } from '../services/shared/storage/s3-store.ts';
import { archiveCutoff } from '../services/web/posts/archive-format.ts';
import { archiveServer } from './archive/run.ts';
import { claimMaintenance, MaintenanceBusyError } from './maintenance-lock.ts';

const schema = {
  STACK_FILE: field(text(), defaultStackFile(process.env)),
  ARCHIVE_AFTER_DAYS: field(integer(1, 36_500), 365),
  ARCHIVE_BATCH: field(integer(1, 100_000), 5000),
  /** Another database on the stack's servers (tests archive their own); default the stack's. */
  ARCHIVE_DATABASE: field(text(/^\w{0,64}$/, 'a database name'), ''),
};

async function tableBytes(conn: import('mysql2/promise').Connection): Promise<number> {
  const [[row]] = await conn.query<RowDataPacket[]>(
    "SELECT DATA_LENGTH + INDEX_LENGTH AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'posts'",
  );
  return Number(row?.n ?? 0);
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

async function main(): Promise<void> {
  const env = parseEnv(process.env, schema);
  const stack = readStackFile(env.STACK_FILE);
  if (stack.s3 === null)
    throw new ConfigError(['make archive needs the object store: start the stack with STORAGE=s3']);
  const secret = (name: keyof StackFile['secrets']) =>
    readFileSync(stack.secrets[name], 'utf8').trim();
  const client = createS3Client({
    endpoint: stack.s3.endpoint,
    region: stack.s3.region,
    accessKeyId: stack.s3.accessKeyId,
    secretAccessKey: secret('s3-secret-access-key'),
  });
  const store = new S3ObjectStore(client, stack.s3.bucket);
  const cutoff = archiveCutoff(new Date(), env.ARCHIVE_AFTER_DAYS);
  // Where posts live: each shard server, mysql-posts (FEDERATION=on), or the one primary.
  const servers = stack.shards?.servers ?? [stack.federation?.posts ?? 'mysql-primary'];
  const database = env.ARCHIVE_DATABASE || stack.mysql.database;
  const connectTo = (server: string) => {
    const s = stack.services.find((x) => x.name === server);
    if (s?.ports.mysql === undefined) throw new Error(`stack.json has no ${server}`);
    return createConnection({
      host: s.host,
      port: s.ports.mysql,
      user: stack.mysql.user,
      password: secret('mysql-password'),
      database,
      connectTimeout: 5000,
      supportBigNumbers: true,
      timezone: 'Z',
    });
  };
  // Held for the whole run: no reshard starts meanwhile, and none may be unfinished now.
  const directory = await connectTo('mysql-primary');
  try {
    await claimMaintenance(directory, database, 'archive');
    console.log(`archiving posts before ${cutoff.toISOString()} from ${servers.join(', ')}`);
    for (const server of servers) {
      const conn = await connectTo(server);
      try {
        const before = await tableBytes(conn);
        const started = performance.now();
        const done = await archiveServer({
          conn,
          store,
          database,
          server,
          cutoff,
          batch: env.ARCHIVE_BATCH,
          say: (line) => console.log(line),
        });
        const seconds = (performance.now() - started) / 1000;
        const after = await tableBytes(conn);
        console.log(
          `${server}: ${done.rows} posts in ${done.files} files (${mib(done.bytes)} compressed), ${Math.round(done.rows / Math.max(seconds, 0.001))} rows/s; posts table ${mib(before)} before, ${mib(after)} after (InnoDB statistics, refreshed in the background)${done.recovered > 0 ? `; ${done.recovered} unfinished files of an earlier run redone` : ''}`,
        );
      } finally {
        await conn.end();
      }
    }
  } finally {
    await directory.end().catch(() => undefined);
    client.destroy();
  }
}

main().catch((error: unknown) => {
  const refused = error instanceof ConfigError || error instanceof MaintenanceBusyError;
  if (refused) console.error(`archive: ${error.message}`);
  else console.error(`archive failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof MaintenanceBusyError ? 2 : 1);
});

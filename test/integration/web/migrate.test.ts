import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { MIGRATION_LOCK, migrate } from '../../../services/web/db/migrate.ts';
import { MIGRATIONS } from '../../../services/web/db/migrations.ts';
import { startTestWeb } from '../../support/web-app.ts';

test('migrations wait for another server holding the lock longer than the query timeout', async (t) => {
  // A 1 s query timeout (default 5 s, test/unit/web/config.test.ts) makes "longer than the query
  // timeout" quick to show.
  const web = await startTestWeb(t, { MYSQL_QUERY_TIMEOUT_MS: '1000' });
  const other = await web.sql();
  const [[held]] = await other.query<RowDataPacket[]>(
    `SELECT GET_LOCK(${MIGRATION_LOCK}, 0) AS ok`,
  );
  assert.equal(held?.ok, 1);
  const started = Date.now();
  const release = setTimeout(() => {
    void other.query(`SELECT RELEASE_LOCK(${MIGRATION_LOCK})`);
  }, 2500);
  t.after(() => clearTimeout(release));
  const applied = await migrate(web.app.db.primary, MIGRATIONS, { info: () => undefined });
  assert.deepEqual(applied, [], 'everything was applied when the app started');
  assert.ok(Date.now() - started >= 2400, 'it waited for the lock');
  const [[free]] = await other.query<RowDataPacket[]>(
    `SELECT IS_FREE_LOCK(${MIGRATION_LOCK}) AS free`,
  );
  assert.equal(free?.free, 1, 'the lock was released after the run');
});

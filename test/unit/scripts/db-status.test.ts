/** `make db-status`'s semi-sync column. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { semisyncState } from '../../../scripts/db-status/format.ts';

test('semi-sync reads off, a replica that acknowledges, and a primary that waits', () => {
  assert.equal(semisyncState({ master: false, slave: false }, {}, false), 'off');
  assert.equal(
    semisyncState({ master: true, slave: true }, { Rpl_semi_sync_slave_status: 'ON' }, true),
    'acks ON',
  );
  assert.equal(
    semisyncState(
      { master: true, slave: true },
      {
        Rpl_semi_sync_master_status: 'OFF',
        Rpl_semi_sync_master_clients: '0',
        Rpl_semi_sync_master_yes_tx: '120',
        Rpl_semi_sync_master_no_tx: '3',
      },
      false,
    ),
    'waits OFF (0 replicas; 120 acked, 3 async)',
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  archiveCutoff,
  archiveKey,
  decodeArchive,
  encodeArchive,
  utcDay,
} from '../../../services/web/posts/archive-format.ts';

const post = (id: string, at: string) => ({
  id,
  userId: '7',
  username: 'ann',
  body: `body of ${id}\nwith a newline`,
  createdAt: at,
});

test('archive files round-trip as gzip JSON lines; a damaged file is refused', () => {
  const posts = [
    post('1829154905886068737', '2023-01-02T03:04:05.000Z'),
    post('12', '2023-01-02T23:59:59.999Z'),
  ];
  const file = encodeArchive(posts);
  assert.equal(file[0], 0x1f, 'gzip magic');
  assert.deepEqual(decodeArchive(file), posts);
  assert.throws(() => decodeArchive(file.subarray(0, file.length - 4)));
  assert.deepEqual(decodeArchive(encodeArchive([])), []);
});

test('keys are date-partitioned and say the database, server and id range', () => {
  assert.equal(
    archiveKey({
      database: 'db',
      server: 'mysql-shard-2',
      day: '2023-01-02',
      firstId: '5',
      lastId: '9',
    }),
    'archive/posts/db/mysql-shard-2/date=2023-01-02/5-9.jsonl.gz',
  );
  assert.equal(utcDay(new Date('2023-01-02T23:59:59.999Z')), '2023-01-02');
});

test('the cutoff is a UTC midnight, whole days back', () => {
  const now = new Date('2026-11-28T18:30:00.000Z');
  assert.equal(archiveCutoff(now, 1).toISOString(), '2026-11-27T00:00:00.000Z');
  assert.equal(archiveCutoff(now, 365).toISOString(), '2025-11-28T00:00:00.000Z');
});

/**
 * `app.writeHomeOf(userId)`: where a user's write goes. Sharded or primary-replicas, that is the
 * user's home (`app.homeOf`); with DB_TOPOLOGY=master-master, the master the user is pinned to
 * while it is up, the other one while it is down (db/master-set.ts). `X-DB` names the master that
 * took the write (`primary` or `primary-2`). Reads are not pinned: they go through `app.db` as
 * before (the second master is one of its readers).
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { TrackedWrites } from '../db/tracked-writes.ts';
import type { Owner } from './shards.ts';

declare module 'fastify' {
  interface FastifyInstance {
    writeHomeOf(userId: bigint): Owner;
  }
}

export interface MastersOptions {
  readonly idempotencyTtlHours: number;
}

async function mastersPlugin(app: FastifyInstance, { idempotencyTtlHours }: MastersOptions) {
  const masters = app.masters;
  if (masters === undefined) {
    app.decorate('writeHomeOf', (userId: bigint) => app.homeOf(userId));
    return;
  }
  const ttlSeconds = idempotencyTtlHours * 3600;
  // A write the home master refused before anything was sent goes to the other one at once, if
  // it is up, instead of failing while the probes catch up.
  const other = (i: number) => () => {
    const j = 1 - i;
    return masters.up()[j] === true ? masters.targets[j] : undefined;
  };
  // Writes are counted while in flight, and wait while their master settles after a failback
  // (db/master-set.ts: two-phase failback).
  const owners: Owner[] = masters.targets.map((target, i) => ({
    db: app.db,
    idempotency: new TrackedWrites(
      (write) => masters.track(i, write),
      ({ writer, gtid }) => {
        if (writer !== target.name) masters.wroteElsewhere(i, gtid);
      },
      () => target,
      ttlSeconds,
      { alternate: other(i), guard: () => masters.settled(i) },
    ),
    label: target.name,
    logical: undefined,
  }));
  app.decorate('writeHomeOf', (userId: bigint) => owners[masters.pick(userId)] as Owner);
}

export default fp(mastersPlugin, { name: 'masters', dependencies: ['database', 'shards'] });

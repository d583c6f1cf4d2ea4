/**
 * Idempotent writes as `app.idempotency`, with keys kept IDEMPOTENCY_KEY_TTL_HOURS. Servers that
 * write (ROLE all or write) also expire old keys every IDEMPOTENCY_SWEEP_INTERVAL_SECONDS, in
 * batches of SWEEP_BATCH rows (at most SWEEP_MAX_BATCHES a run), so one run never holds locks or the
 * primary for long. A failed run (primary down) is logged and tried again at the next interval.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { IdempotentWrites } from '../db/idempotency.ts';
import { expireIdempotencyKeys } from '../db/idempotency-expiry.ts';

declare module 'fastify' {
  interface FastifyInstance {
    idempotency: IdempotentWrites;
    /** One sweep of expired keys now (what the timer runs); returns how many were deleted. */
    expireIdempotencyKeys(batch?: number, maxBatches?: number): Promise<number>;
  }
}

export interface IdempotencyOptions {
  readonly ttlHours: number;
  /** Seconds between sweeps; 0: this server does not sweep. */
  readonly sweepIntervalSeconds: number;
}

export const SWEEP_BATCH = 1000;
export const SWEEP_MAX_BATCHES = 20;

async function idempotencyPlugin(
  app: FastifyInstance,
  { ttlHours, sweepIntervalSeconds }: IdempotencyOptions,
): Promise<void> {
  const ttlSeconds = ttlHours * 3600;
  app.decorate('idempotency', new IdempotentWrites(() => app.db.primary, ttlSeconds));
  const expire = (batch = SWEEP_BATCH, maxBatches = SWEEP_MAX_BATCHES) =>
    expireIdempotencyKeys(app.db.primary, ttlSeconds, batch, maxBatches);
  app.decorate('expireIdempotencyKeys', expire);
  if (sweepIntervalSeconds === 0) return;
  let running: Promise<void> | undefined;
  const sweep = () => {
    running ??= expire()
      .then(
        (deleted) => {
          if (deleted > 0) app.log.info({ deleted, ttlHours }, 'expired idempotency keys deleted');
        },
        (error: unknown) => app.log.warn({ err: error }, 'idempotency key sweep failed'),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(sweep, sweepIntervalSeconds * 1000).unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await running;
  });
}

export default fp(idempotencyPlugin, { name: 'idempotency', dependencies: ['database'] });

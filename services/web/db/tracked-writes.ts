/**
 * Idempotent writes whose calls are counted while in flight (DB_TOPOLOGY=master-master: a master
 * taking its users back waits for the writes in flight on the other one, db/master-set.ts).
 */
import type { Session } from '../../shared/db/target.ts';
import {
  type IdempotencyClaim,
  type IdempotentResult,
  IdempotentWrites,
  type IdempotentWritesOptions,
  type WriteResult,
} from './idempotency.ts';

export class TrackedWrites extends IdempotentWrites {
  readonly #track: <T>(write: Promise<T>) => Promise<T>;

  constructor(
    track: <T>(write: Promise<T>) => Promise<T>,
    writer: ConstructorParameters<typeof IdempotentWrites>[0],
    ttlSeconds: number,
    options: IdempotentWritesOptions = {},
  ) {
    super(writer, ttlSeconds, options);
    this.#track = track;
  }

  override writeOnce<T>(
    claim: IdempotencyClaim | undefined,
    work: (tx: Session) => Promise<WriteResult<T>>,
  ): Promise<IdempotentResult<T>> {
    return this.#track(super.writeOnce(claim, work));
  }
}

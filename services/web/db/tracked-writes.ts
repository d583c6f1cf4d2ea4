/**
 * Idempotent writes whose calls are counted while in flight, and whose committed writes are
 * reported (DB_TOPOLOGY=master-master: a master taking its users back waits for the writes in
 * flight on the other one, and for a write that went there instead of to it; db/master-set.ts).
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
  readonly #written: (result: { readonly writer: string; readonly gtid: string }) => void;

  constructor(
    track: <T>(write: Promise<T>) => Promise<T>,
    written: (result: { readonly writer: string; readonly gtid: string }) => void,
    writer: ConstructorParameters<typeof IdempotentWrites>[0],
    ttlSeconds: number,
    options: IdempotentWritesOptions = {},
  ) {
    super(writer, ttlSeconds, options);
    this.#track = track;
    this.#written = written;
  }

  /** Counted while in flight; `written` hears of each committed write (which server, its GTID). */
  override writeOnce<T>(
    claim: IdempotencyClaim | undefined,
    work: (tx: Session) => Promise<WriteResult<T>>,
  ): Promise<IdempotentResult<T>> {
    return this.#track(
      super.writeOnce(claim, work).then((result) => {
        this.#written(result);
        return result;
      }),
    );
  }
}

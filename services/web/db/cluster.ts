/**
 * The primary and its replicas. Writes go to the primary; a read names where it may be served from
 * and, when replicas are allowed, moves away from a replica that fails (next replica, then the
 * primary), so a dead replica costs at most one failed attempt per request.
 */
import { isUnavailable } from '../../shared/db/errors.ts';
import type { DbTarget, Param, Row } from '../../shared/db/target.ts';

export type ReadFrom = 'primary' | 'replicas';

export interface ReadResult<T> {
  readonly rows: T[];
  /** Which server answered: `primary` or `replica-N` (the X-DB header). */
  readonly servedBy: string;
}

export class DbCluster {
  readonly primary: DbTarget;
  readonly replicas: readonly DbTarget[];
  #next = 0;

  constructor(primary: DbTarget, replicas: readonly DbTarget[]) {
    this.primary = primary;
    this.replicas = replicas;
  }

  /** Read candidates in the order to try them. */
  candidates(from: ReadFrom): DbTarget[] {
    if (from === 'primary' || this.replicas.length === 0) return [this.primary];
    const start = this.#next++ % this.replicas.length;
    const rotated = [...this.replicas.slice(start), ...this.replicas.slice(0, start)];
    const available = rotated.filter((r) => r.available);
    return [...available, this.primary];
  }

  async read<T extends Row = Row>(
    from: ReadFrom,
    sql: string,
    params: readonly Param[] = [],
  ): Promise<ReadResult<T>> {
    const targets = this.candidates(from);
    let lastError: unknown;
    for (const target of targets) {
      try {
        return { rows: await target.rows<T>(sql, params), servedBy: target.name };
      } catch (error) {
        if (!isUnavailable(error)) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.replicas, this.primary].map((t) => t.close()));
  }
}

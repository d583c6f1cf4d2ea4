/**
 * Follows the topology record (topology-record.ts) without a restart: every second each configured
 * MariaDB server but the current writer is asked for its server id, read_only and newest record
 * (one statement, short deadline), and the writer is decided again. Used by the web servers (DbCluster) and the workers.
 */
import { withDeadline } from '../deadline.ts';
import type { DbTarget, Row } from './target.ts';
import {
  type Decision,
  decideWriter,
  type Observation,
  parseRecord,
  TOPOLOGY_TABLE,
} from './topology-record.ts';

const POLL_MS = 1000;
const DEADLINE_MS = 800;
/** ER_NO_SUCH_TABLE / ER_BAD_DB_ERROR: the control table is not there (yet). */
const NO_TABLE = new Set([1146, 1049]);

const WITH_RECORD = `SELECT @@server_id AS id, @@read_only AS ro,
  (SELECT CONCAT(epoch, ':', writer_id, ':', fenced) FROM ${TOPOLOGY_TABLE} ORDER BY epoch DESC LIMIT 1) AS rec`;
const WITHOUT_RECORD = 'SELECT @@server_id AS id, @@read_only AS ro, NULL AS rec';

export interface WriterChange {
  readonly from: string;
  readonly to: string;
  readonly epoch: number;
}

export class WriterWatch {
  readonly #targets: readonly DbTarget[];
  readonly #known = new Map<number, number>();
  #decision: Decision = { writer: 0, fenced: new Set(), epoch: 0 };
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  /** Servers whose last poll has not answered yet (paused): not asked again until it does, so a
   * paused server holds at most one pooled connection for the watch. */
  readonly #pending = new Set<DbTarget>();
  readonly #onChange: (change: WriterChange) => void;

  /** `targets[0]` is the configured primary: the writer until a record says otherwise. */
  constructor(targets: readonly DbTarget[], onChange: (change: WriterChange) => void = () => {}) {
    this.#targets = targets;
    this.#onChange = onChange;
  }

  get writer(): DbTarget {
    return this.#targets[this.#decision.writer] ?? (this.#targets[0] as DbTarget);
  }

  /** Every server but the writer and the fenced ones. */
  get readers(): DbTarget[] {
    return this.#targets.filter(
      (_, i) => i !== this.#decision.writer && !this.#decision.fenced.has(i),
    );
  }

  /** Every configured server. */
  get all(): readonly DbTarget[] {
    return this.#targets;
  }

  get epoch(): number {
    return this.#decision.epoch;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.poll(), POLL_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #observe(t: DbTarget): Promise<Observation | undefined> {
    if (this.#pending.has(t)) return undefined;
    const ask = async (sql: string) => {
      const query = t.rows<Row & { id: number; ro: number; rec: string | null }>(sql);
      this.#pending.add(t);
      void query.finally(() => this.#pending.delete(t)).catch(() => undefined);
      const [row] = await withDeadline(query, DEADLINE_MS);
      return row;
    };
    try {
      let row: (Row & { id: number; ro: number; rec: string | null }) | undefined;
      try {
        row = await ask(WITH_RECORD);
      } catch (error) {
        const errno =
          (error as { cause?: { errno?: number }; errno?: number }).cause?.errno ??
          (error as { errno?: number }).errno;
        if (errno === undefined || !NO_TABLE.has(errno)) throw error;
        row = await ask(WITHOUT_RECORD);
      }
      if (row === undefined) return undefined;
      return {
        serverId: Number(row.id),
        readOnly: Number(row.ro) === 1,
        record: parseRecord(row.rec),
      };
    } catch {
      return undefined;
    }
  }

  /**
   * One round of polling. After the first round the current writer is left alone: a promotion
   * always writes its record on another server (and replicates from there), so asking the others
   * is enough, and the writer's pool, the busiest one, never carries the watch's statements.
   */
  async poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    const first = this.#known.size === 0;
    try {
      const observations = await Promise.all(
        this.#targets.map((t) =>
          !first && t === this.writer ? Promise.resolve(undefined) : this.#observe(t),
        ),
      );
      observations.forEach((o, i) => {
        if (o !== undefined) this.#known.set(i, o.serverId);
      });
      const before = this.writer;
      this.#decision = decideWriter(observations, this.#known, this.#decision);
      if (this.writer !== before)
        this.#onChange({ from: before.name, to: this.writer.name, epoch: this.#decision.epoch });
    } finally {
      this.#polling = false;
    }
  }
}

/**
 * The db-monitor's loop: every interval it asks each MariaDB server for its state (bounded by the
 * connect and query timeouts of the promotion module), fences what must not write, and promotes
 * when decide.ts says so. Every decision that changes something is logged with its inputs.
 */
import type { Logger } from 'pino';
import type { ServerState } from '../shared/db/promotion/plan.ts';
import { connectAsRoot, type DbTier, observe, promote, q } from '../shared/db/promotion/promote.ts';
import { type Decision, decide, type MonitorState } from './decide.ts';

export interface MonitorView {
  readonly decision: Decision | undefined;
  readonly epoch: number;
  readonly failovers: number;
  readonly fenced: number;
  readonly servers: readonly {
    readonly name: string;
    readonly up: boolean;
    readonly readOnly?: boolean;
  }[];
}

export class DbMonitor {
  readonly #tier: DbTier;
  readonly #afterMs: number;
  readonly #acts: boolean;
  readonly #intervalMs: number;
  readonly #log: Logger;
  /** Server ids learned while a server answered (a down server is still recognised). */
  readonly #ids = new Map<string, number>();
  #state: MonitorState = { writerDownSince: undefined };
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #view: MonitorView = { decision: undefined, epoch: 0, failovers: 0, fenced: 0, servers: [] };

  constructor(tier: DbTier, afterMs: number, intervalMs: number, acts: boolean, log: Logger) {
    this.#tier = tier;
    this.#acts = acts;
    this.#afterMs = afterMs;
    this.#intervalMs = intervalMs;
    this.#log = log;
  }

  get view(): MonitorView {
    return this.#view;
  }

  start(): void {
    const loop = () => {
      this.#round = this.roundOnce()
        .catch((error: unknown) => this.#log.error({ err: String(error) }, 'monitor round failed'))
        .finally(() => {
          this.#round = undefined;
          if (this.#timer !== undefined) this.#timer = setTimeout(loop, this.#intervalMs);
        });
    };
    this.#timer = setTimeout(loop, 0);
  }

  /** Stops deciding; waits for a round (a promotion included) in progress. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#round;
  }

  async roundOnce(): Promise<void> {
    const servers: ServerState[] = await Promise.all(
      this.#tier.servers.map((s) =>
        observe(this.#tier, { ...s, serverId: this.#ids.get(s.name) ?? s.serverId }),
      ),
    );
    for (const s of servers) if (s.up !== undefined) this.#ids.set(s.name, s.serverId);
    const round = decide(servers, this.#state, Date.now(), this.#afterMs);
    const before = this.#view.decision;
    if (before?.kind !== round.decision.kind)
      this.#log.info(
        {
          decision: round.decision,
          epoch: round.record?.epoch,
          servers: servers.map((s) => ({
            name: s.name,
            up: s.up !== undefined,
            readOnly: s.up?.readOnly,
            gtid: s.up?.gtid,
          })),
        },
        `db-monitor: ${round.decision.kind}`,
      );
    this.#state = round.state;
    let fenced = this.#view.fenced;
    for (const s of this.#acts ? round.fence : []) {
      const c = await connectAsRoot(this.#tier, s);
      try {
        await q(c, 'SET GLOBAL read_only = ON');
        fenced++;
        this.#log.warn(
          { server: s.name, writer: round.record?.writerId },
          'fenced a writable server that is not the writer (read_only = ON)',
        );
      } finally {
        await c.end().catch(() => undefined);
      }
    }
    let failovers = this.#view.failovers;
    let epoch = round.record?.epoch ?? 0;
    if (round.decision.kind === 'promote' && this.#acts) {
      const promoted = await promote(
        { ...this.#tier, servers },
        (line) => this.#log.warn(`promote: ${line}`),
        `db-monitor: ${round.decision.writer} unreachable for ${round.decision.downForMs} ms`,
      );
      failovers++;
      epoch = promoted.epoch;
      this.#state = { writerDownSince: undefined };
      this.#log.warn(
        { writer: promoted.writer, epoch, ms: Math.round(promoted.ms) },
        'failover done',
      );
    }
    this.#view = {
      decision: round.decision,
      epoch,
      failovers,
      fenced,
      servers: servers.map((s) => ({
        name: s.name,
        up: s.up !== undefined,
        readOnly: s.up?.readOnly,
      })),
    };
  }
}

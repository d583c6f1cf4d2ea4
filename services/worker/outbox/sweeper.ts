/**
 * The outbox relay and its repair pass, on a timer in every worker. Sweep: rows the web servers
 * wrote with each upload but could not queue (Redis down) go into the queue, then leave the outbox
 * (other workers skip rows one holds). Repair: uploads pending for a while whose job Redis no
 * longer knows (Redis lost its last second of writes, or its data) are queued again; those whose
 * job failed without the row saying so are marked failed. Passes never overlap.
 */
import type { Logger } from '../../shared/logger.ts';
import type { ThumbnailProducer } from '../../shared/thumbnails/producer.ts';
import type { MediaDb } from '../media-db.ts';
import type { WorkerMetrics } from '../metrics.ts';
import { repairAction } from './repair.ts';

export interface SweeperOptions {
  readonly media: MediaDb;
  readonly producer: ThumbnailProducer;
  readonly intervalMs: number;
  readonly repairAfterMs: number;
  readonly metrics: WorkerMetrics;
  readonly log: Logger;
}

const BATCH = 200;

export class OutboxSweeper {
  readonly #o: SweeperOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #lastRepair = 0;
  #repairAfterId = 0;

  constructor(options: SweeperOptions) {
    this.#o = options;
  }

  start(): void {
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.pass().finally(() => this.#schedule());
    }, this.#o.intervalMs);
  }

  /** One sweep, and a repair when one is due. Errors are logged; the next pass tries again. */
  async pass(): Promise<void> {
    if (this.#o.producer.state !== 'ok') return;
    try {
      let moved = 0;
      do {
        moved = await this.#o.media.takeOutbox(BATCH, (jobs) => this.#o.producer.addBulk(jobs));
        if (moved > 0) this.#o.metrics.outbox.inc({ action: 'queued' }, moved);
      } while (moved === BATCH && !this.#stopped);
      if (Date.now() - this.#lastRepair >= this.#o.repairAfterMs / 3) await this.#repair();
    } catch (error) {
      this.#o.log.warn({ err: error }, 'outbox pass failed; trying again next pass');
    }
  }

  async #repair(): Promise<void> {
    this.#lastRepair = Date.now();
    const stale = await this.#o.media.stalePending(
      this.#o.repairAfterMs,
      this.#repairAfterId,
      BATCH,
    );
    this.#repairAfterId = stale.length < BATCH ? 0 : (stale.at(-1)?.mediaId ?? 0);
    for (const job of stale) {
      const action = repairAction(await this.#o.producer.jobState(job.mediaId));
      if (action === 'leave') continue;
      if (action === 'requeue') await this.#o.producer.rerun(job);
      else await this.#o.media.markFailed(job.mediaId, 'the thumbnail job failed');
      this.#o.metrics.outbox.inc({ action });
      this.#o.log.warn({ mediaId: job.mediaId, action }, 'repaired a pending thumbnail');
    }
  }
}

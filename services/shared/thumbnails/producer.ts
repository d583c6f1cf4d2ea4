/**
 * Adding thumbnail jobs: the web servers' fast path after an upload commits, and the worker's
 * outbox sweeper. Its own Redis connection fails fast (no offline queue, a command timeout), so a
 * Redis that is down or paused costs a request at most one timeout; the caller's outbox row keeps
 * the job until Redis is back. Every (re)connection re-checks that Redis never evicts keys; until
 * it has, nothing is added.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { failFastRedis } from '../redis-options.ts';
import { jobIdOf, jobOptions, THUMBNAIL_JOB_NAME, type ThumbnailJob } from './job.ts';
import { checkQueueRedis, EvictingRedisError } from './redis-policy.ts';

export interface QueueLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface ProducerOptions {
  readonly url: string;
  readonly queueName: string;
  readonly commandTimeoutMs: number;
  readonly log: QueueLog;
}

export class QueueUnavailableError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`job queue unavailable: ${reason}`, options);
    this.name = 'QueueUnavailableError';
  }
}

export type ProducerState = 'connecting' | 'ok' | 'refused';
export type JobState = Awaited<ReturnType<Queue['getJobState']>>;

export class ThumbnailProducer {
  readonly queue: Queue;
  readonly #redis: Redis;
  readonly #options: ProducerOptions;
  #state: ProducerState = 'connecting';
  #refusal: EvictingRedisError | undefined;
  readonly #listeners: ((state: ProducerState) => void)[] = [];

  constructor(options: ProducerOptions) {
    this.#options = options;
    this.#redis = new Redis(options.url, failFastRedis(options.commandTimeoutMs));
    let lastError = '';
    this.#redis.on('error', (error: Error) => {
      if (error.message !== lastError) options.log.warn({ err: error }, 'queue redis problem');
      lastError = error.message;
    });
    this.#redis.on('ready', () => {
      lastError = '';
      void this.#check();
    });
    // BullMQ checks the server once, when the connection is made, and a failed check breaks the
    // queue for good (a Redis down at start-up). The same check (and the eviction policy) runs
    // here instead, on every reconnection.
    this.queue = new Queue(options.queueName, {
      connection: this.#redis,
      skipWaitingForReady: true,
      skipVersionCheck: true,
    });
    this.queue.on('error', () => undefined);
  }

  get state(): ProducerState {
    return this.#state;
  }

  /** Called whenever the state changes (the worker stops on `refused`). */
  onState(listener: (state: ProducerState) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Connects and waits up to `waitMs` for the policy check. Throws EvictingRedisError when Redis
   * evicts; a Redis that cannot be reached yet is not an error (the client keeps reconnecting).
   */
  async start(waitMs: number): Promise<void> {
    this.#redis.connect().catch(() => undefined);
    const deadline = Date.now() + waitMs;
    while (this.#state === 'connecting' && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    if (this.#refusal !== undefined) throw this.#refusal;
  }

  /** Adds the job (a no-op while a job of that id exists). */
  async add(job: ThumbnailJob): Promise<void> {
    await this.#guard(() => this.queue.add(THUMBNAIL_JOB_NAME, job, jobOptions(job)));
  }

  async addBulk(jobs: readonly ThumbnailJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.#guard(() =>
      this.queue.addBulk(
        jobs.map((data) => ({ name: THUMBNAIL_JOB_NAME, data, opts: jobOptions(data) })),
      ),
    );
  }

  /** Resolves when the queue's Redis answers and passed the policy check (readiness). */
  ping(): Promise<string> {
    return this.#guard(() => this.#redis.ping());
  }

  /** Runs the job again: a completed one is retried, a missing one added. */
  async rerun(job: ThumbnailJob): Promise<void> {
    await this.#guard(async () => {
      const existing = await this.queue.getJob(jobIdOf(job.mediaId));
      if (existing !== undefined && (await existing.isCompleted()))
        await existing.retry('completed');
      else await this.queue.add(THUMBNAIL_JOB_NAME, job, jobOptions(job));
    });
  }

  jobState(mediaId: number): Promise<JobState> {
    return this.#guard(() => this.queue.getJobState(jobIdOf(mediaId)));
  }

  /** Runs a command against the queue's Redis, failing at once unless the policy check passed. */
  async #guard<T>(run: () => Promise<T>): Promise<T> {
    if (this.#state === 'refused')
      throw new QueueUnavailableError(this.#refusal?.message ?? 'refused');
    if (this.#state !== 'ok') throw new QueueUnavailableError('not connected to Redis');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new QueueUnavailableError(`no answer in ${this.#options.commandTimeoutMs} ms`)),
        this.#options.commandTimeoutMs,
      );
    });
    try {
      return await Promise.race([run(), timeout]);
    } catch (error) {
      if (error instanceof QueueUnavailableError) throw error;
      throw new QueueUnavailableError((error as Error).message, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  async #check(): Promise<void> {
    try {
      await checkQueueRedis(this.#redis, this.#options.url);
      this.#refusal = undefined;
      this.#setState('ok');
    } catch (error) {
      if (error instanceof EvictingRedisError) {
        this.#refusal = error;
        this.#options.log.error({ code: error.code }, error.message);
        this.#setState('refused');
      } else {
        this.#options.log.warn({ err: error }, 'could not read the queue redis eviction policy');
      }
    }
  }

  #setState(state: ProducerState): void {
    if (state === this.#state) return;
    this.#state = state;
    if (state === 'ok') this.#options.log.info({}, 'queue redis ready (noeviction)');
    for (const listener of this.#listeners) listener(state);
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}

/**
 * One attempt at a job, as BullMQ's processor: a deadline (WORKER_JOB_TIMEOUT_MS) that aborts the
 * remaining steps, the decision between retrying and failing at once, and the row marked `failed`
 * when the job gives up, so users see it. BullMQ retries what this throws, except an
 * UnrecoverableError.
 */
import { type Job, UnrecoverableError } from 'bullmq';
import type { Logger } from '../../shared/logger.ts';
import { parseThumbnailJob } from '../../shared/thumbnails/job.ts';
import type { WorkerMetrics } from '../metrics.ts';
import { classifyFailure, failureMessage, JobTimeoutError, lastAttempt } from './failure.ts';
import { type JobDeps, makeJobThumbnails } from './make-thumbnails.ts';

export interface AttemptContext {
  readonly deps: JobDeps;
  readonly timeoutMs: number;
  readonly metrics: WorkerMetrics;
  readonly log: Logger;
}

function withDeadline(ms: number, outer: AbortSignal | undefined) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new JobTimeoutError(ms)), ms);
  const onOuter = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuter, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), {
      once: true,
    });
  });
  aborted.catch(() => undefined);
  const done = () => {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  };
  return { signal: controller.signal, aborted, done };
}

export async function runAttempt(
  job: Job,
  ctx: AttemptContext,
  signal: AbortSignal | undefined,
): Promise<string> {
  const data = parseThumbnailJob(job.data);
  if (data === undefined) {
    ctx.metrics.jobs.inc({ outcome: 'failed' });
    throw new UnrecoverableError('malformed thumbnail job');
  }
  const stopTimer = ctx.metrics.duration.startTimer();
  const deadline = withDeadline(ctx.timeoutMs, signal);
  try {
    const outcome = await Promise.race([
      makeJobThumbnails(data, ctx.deps, deadline.signal, (n) => job.updateProgress(n)),
      deadline.aborted,
    ]);
    ctx.metrics.jobs.inc({ outcome });
    stopTimer({ outcome });
    return outcome;
  } catch (error) {
    const verdict = classifyFailure(error);
    const giveUp = !verdict.retry || lastAttempt(job.attemptsMade, job.opts.attempts ?? 1);
    const outcome = giveUp ? 'failed' : 'retried';
    ctx.metrics.jobs.inc({ outcome });
    stopTimer({ outcome });
    ctx.log.warn(
      { err: error, jobId: job.id, mediaId: data.mediaId, attempt: job.attemptsMade + 1, outcome },
      'thumbnail job attempt failed',
    );
    if (giveUp) {
      // Best effort: if the database is down too, the sweeper's repair marks it later.
      await ctx.deps.media.markFailed(data.mediaId, failureMessage(verdict)).catch(() => undefined);
    }
    if (!verdict.retry) throw new UnrecoverableError(verdict.reason);
    throw error;
  } finally {
    deadline.done();
  }
}

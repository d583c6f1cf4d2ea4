/**
 * What to do with an upload that has been pending for a while, from its job's state in Redis.
 * Pure.
 */
import type { JobState } from '../../shared/thumbnails/producer.ts';

export type RepairAction = 'requeue' | 'mark-failed' | 'leave';

export function repairAction(state: JobState): RepairAction {
  switch (state) {
    // Redis lost the job (a crash before its last writes reached the disk, or lost data); or it
    // ran to the end but the row did not keep `ready` (a database failover): run it again.
    case 'unknown':
    case 'completed':
      return 'requeue';
    // It gave up without the row saying so (stalled too often, or the database was down too).
    case 'failed':
      return 'mark-failed';
    default:
      return 'leave';
  }
}

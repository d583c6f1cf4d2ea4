/** Drills of the app processes: web servers killed, terminated, hung; workers; the runner. */
import {
  failOnlyWith,
  ledgerClean,
  noFailures,
  observedAtLeast,
  observedWithin,
  onlyInFlightFail,
  resumes,
} from '../checks.ts';
import type { Drill } from '../drill.ts';
import { watchedByLb } from '../faults/lb-watch.ts';
import { crash, outage, pause } from '../faults/process.ts';
import { stalledRecovered, whileAJobRuns } from '../faults/worker-jobs.ts';
import type { StackFile } from '../stack.ts';
import { has } from './common.ts';

const queued = (stack: StackFile) =>
  stack.flags.THUMBNAILS === 'queue' ? has('worker-1')(stack) : 'needs THUMBNAILS=queue';

export const PROCESS_DRILLS: readonly Drill[] = [
  {
    name: 'web-kill',
    row: 'Backend killed under load: marked down within 2 s; only requests already sent to it fail; a POST is never sent twice; error rate < 0.1 %',
    skip: has('web-2'),
    fault: (s) => watchedByLb(outage(s, 'web-1', 'SIGKILL'), s, 'web-1'),
    affected: ['cart', 'login'],
    mix: { cart: 3, login: 0.5 },
    checks: () => [
      observedWithin('markedDownInMs', 2000, 'marked down by the LB'),
      onlyInFlightFail(0.001),
      ledgerClean,
    ],
  },
  {
    name: 'web-sigterm',
    row: 'SIGTERM under load: in-flight requests finish, the server exits within the grace period; zero failed requests',
    skip: has('web-2'),
    fault: (s) => outage(s, 'web-2', 'SIGTERM'),
    affected: ['cart', 'login'],
    mix: { cart: 3, login: 0.5 },
    checks: () => [
      noFailures(),
      observedWithin('exitedInMs', 15_000, 'exited (grace 10 s + drain)'),
      ledgerClean,
    ],
  },
  {
    name: 'web-pause',
    row: 'Backend hung (SIGSTOP): in-flight requests end in 504 within the response timeout (30 s); back in rotation after it answers health checks',
    skip: has('read-api-2'),
    fault: (s) => watchedByLb(pause(s, 'read-api-1'), s, 'read-api-1'),
    affected: ['feed', 'read'],
    holdMs: 34_000,
    checks: () => [
      failOnlyWith(['feed', 'read', 'ryw', 'anon'], ['504']),
      observedWithin('markedDownInMs', 5000, 'taken out of rotation'),
      resumes(['feed', 'read', 'anon'], 10_000),
      ledgerClean,
    ],
  },
  {
    name: 'worker-kill',
    row: 'Worker killed mid-job: the job runs again and completes, exactly one thumbnail set',
    skip: queued,
    fault: (s) => whileAJobRuns(s, crash(s, 'worker-1')),
    affected: ['upload'],
    mix: { upload: 3 },
    holdMs: 4000,
    // The killed job's lock runs out (WORKER_LOCK_MS, 15 s) and a worker's stalled check (10 s)
    // puts it back: a recovered stall proves the kill landed mid-job.
    probe: async ({ stack }) => ({ stalledRecovered: await stalledRecovered(stack) }),
    checks: () => [
      observedAtLeast('activeAtFault', 1, 'jobs running when the worker was killed'),
      observedAtLeast('stalledRecovered', 1, 'jobs of the dead worker recovered (stalled)'),
      noFailures(),
      ledgerClean,
    ],
  },
  {
    name: 'web-crash',
    row: 'A dead process is restarted by the runner (backoff 1 s, then as fast as it starts); only its in-flight requests fail',
    skip: has('web-2'),
    fault: (s) => crash(s, 'web-2'),
    affected: ['cart', 'login'],
    mix: { cart: 3, login: 0.5 },
    holdMs: 1000,
    checks: () => [
      observedWithin('restartedInMs', 15_000, 'running again, restarted by the runner'),
      onlyInFlightFail(0.001),
      ledgerClean,
    ],
  },
  {
    name: 'primary-crash',
    row: 'Primary killed and restarted by the runner: writes answer 503 meanwhile, resume by themselves; no acknowledged write lost',
    skip: has('mysql-replica-1'),
    fault: (s) => crash(s, 'mysql-primary'),
    affected: ['write', 'upload'],
    mix: { write: 4 },
    holdMs: 1000,
    checks: () => [
      observedWithin('restartedInMs', 20_000, 'running again, restarted by the runner'),
      failOnlyWith(['write', 'upload', 'login'], ['503 WEB_ERR_DB_UNAVAILABLE']),
      noFailures(['feed', 'read', 'anon', 'cart']),
      resumes(['write'], 10_000),
      ledgerClean,
    ],
  },
];

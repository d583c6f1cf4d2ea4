/** Drills of the app processes: web servers killed, terminated, hung; workers; the runner. */
import {
  failOnlyWith,
  ledgerClean,
  noFailures,
  observedWithin,
  onlyInFlightFail,
  resumes,
} from '../checks.ts';
import type { Drill } from '../drill.ts';
import { watchedByLb } from '../faults/lb-watch.ts';
import { pause, stop } from '../faults/process.ts';
import type { StackFile } from '../stack.ts';
import { has } from './common.ts';

const queued = (stack: StackFile) =>
  stack.flags.THUMBNAILS === 'queue' ? has('worker-1')(stack) : 'needs THUMBNAILS=queue';

export const PROCESS_DRILLS: readonly Drill[] = [
  {
    name: 'web-kill',
    row: 'Backend killed under load: marked down within 2 s; only requests already sent to it fail; a POST is never sent twice; error rate < 0.1 %',
    skip: has('web-2'),
    fault: (s) => watchedByLb(stop(s, 'web-1', 'SIGKILL'), s, 'web-1'),
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
    fault: (s) => stop(s, 'web-2', 'SIGTERM'),
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
    fault: (s) => stop(s, 'worker-1', 'SIGKILL'),
    affected: ['upload'],
    mix: { upload: 3 },
    holdMs: 4000,
    checks: () => [noFailures(), ledgerClean],
  },
  {
    name: 'runner-restart',
    row: 'A dead process is restarted by the runner (backoff)',
    skip: has('web-2'),
    fault: (s) => stop(s, 'web-2', 'SIGKILL', { supervisorGraceMs: 10_000 }),
    affected: ['cart'],
    holdMs: 1000,
    checks: () => [
      observedWithin('restartedBySupervisorInMs', 5000, 'restarted by the runner'),
      onlyInFlightFail(0.001),
      ledgerClean,
    ],
  },
];

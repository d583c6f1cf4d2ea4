/**
 * The supervisor: watches every long-running process the runner started, restarts one that dies
 * unexpectedly (backoff, give up after repeated crashes: restart-policy.ts), and stops, starts or
 * restarts one service on request, remembering that a stop was deliberate (service-states.ts).
 * SIGSTOP is not death: only an exit counts. Every change is reported through `onChange` (the
 * running stack rewrites stack.json).
 */
import type { PlannedService } from '../../../services/shared/topology/plan.ts';
import type { Output } from '../../logs/output.ts';
import type { Exit, Launched } from '../launch.ts';
import { stopProcesses } from '../signal-waves.ts';
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart-policy.ts';
import {
  initialState,
  type ServiceState,
  type Supervised,
  type SupervisorEvent,
  standbyState,
  transition,
} from './service-states.ts';

export interface ServiceStatus {
  readonly name: string;
  readonly state: ServiceState;
  readonly pid: number | null;
  readonly restarts: number;
}

export interface SupervisorOptions {
  readonly services: readonly PlannedService[];
  /** Planned slots that start stopped (AUTOSCALE=on standby web servers). */
  readonly standby?: readonly PlannedService[];
  /** Shared with the stack: the supervisor puts every new process in it. */
  readonly launched: Map<string, Launched>;
  /** Starts a service and resolves once it is ready (rejects if it exits or times out). */
  readonly start: (
    s: PlannedService,
    signal: AbortSignal,
    started: (l: Launched) => void,
  ) => Promise<void>;
  readonly graceMs: number;
  readonly out: Output;
  readonly onChange: () => void;
  /** A process exited while it was running (not during a deliberate stop). */
  readonly onExit?: (name: string, exit: Exit) => void;
  /** A deliberately stopped service: its pid record can go. */
  readonly onStopped?: (name: string) => void;
  readonly policy?: RestartPolicy;
}

interface Entry {
  readonly service: PlannedService;
  s: Supervised;
  current: Launched | undefined;
  timer: NodeJS.Timeout | undefined;
  startAbort: AbortController | undefined;
  starting: Promise<void> | undefined;
  ops: Promise<unknown>;
}

export class StopError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export class Supervisor {
  readonly #o: SupervisorOptions;
  readonly #entries = new Map<string, Entry>();
  #closing = false;

  constructor(options: SupervisorOptions) {
    this.#o = options;
    const standby = new Set(options.standby ?? []);
    for (const service of [...options.services, ...standby]) {
      const current = options.launched.get(service.name);
      const entry: Entry = {
        service,
        s: standby.has(service) ? standbyState() : initialState(),
        current,
        timer: undefined,
        startAbort: undefined,
        starting: undefined,
        ops: Promise.resolve(),
      };
      this.#entries.set(service.name, entry);
      if (current) this.#watch(entry, current);
    }
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }

  status(name: string): ServiceStatus {
    const e = this.#entry(name);
    const running = e.s.state !== 'stopped' && e.s.state !== 'failed';
    const pid = running && e.s.state !== 'restarting' ? (e.current?.record.pid ?? null) : null;
    return { name, state: e.s.state, pid, restarts: e.s.restarts };
  }

  /** Stops one service on purpose; it stays stopped. SIGKILL stops it the hard way. */
  stop(name: string, options: { signal?: 'SIGTERM' | 'SIGKILL' } = {}): Promise<ServiceStatus> {
    const e = this.#entry(name);
    return this.#serial(e, async () => {
      await this.#stop(e, options.signal === 'SIGKILL');
      return this.status(name);
    });
  }

  /** Starts a stopped or failed service (or one waiting to restart) and waits until it is ready. */
  start(name: string): Promise<ServiceStatus> {
    const e = this.#entry(name);
    return this.#serial(e, async () => {
      await this.#start(e);
      return this.status(name);
    });
  }

  restart(name: string): Promise<ServiceStatus> {
    const e = this.#entry(name);
    return this.#serial(e, async () => {
      await this.#stop(e, false);
      await this.#start(e);
      return this.status(name);
    });
  }

  /** Stops supervising (the stack is stopping): no more restarts, starts in progress abort. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const e of this.#entries.values()) {
      clearTimeout(e.timer);
      e.startAbort?.abort(new Error('the stack is stopping'));
    }
    await Promise.all([...this.#entries.values()].map((e) => e.starting?.catch(() => undefined)));
  }

  #entry(name: string): Entry {
    const e = this.#entries.get(name);
    if (e === undefined)
      throw new StopError(
        'STACK_ERR_UNKNOWN_SERVICE',
        `no service ${name} in this stack (has ${this.names().join(', ')})`,
      );
    return e;
  }

  #serial<T>(e: Entry, op: () => Promise<T>): Promise<T> {
    if (this.#closing)
      return Promise.reject(new StopError('STACK_ERR_STOPPING', 'the stack is stopping'));
    const run = e.ops.then(op, op);
    e.ops = run.catch(() => undefined);
    return run;
  }

  async #stop(e: Entry, kill: boolean): Promise<void> {
    const { action } = this.#apply(e, { type: 'stop' });
    if (action.type !== 'signal') return;
    e.startAbort?.abort(new Error('stopped on request'));
    const current = e.current;
    if (current) await stopProcesses([current.record], { graceMs: this.#o.graceMs, force: kill });
    await e.starting?.catch(() => undefined);
    this.#apply(e, { type: 'exited', at: Date.now() });
    this.#o.out.say('info', `${e.service.name} stopped on request`, {
      how: kill ? 'kill' : 'term',
    });
    this.#o.onStopped?.(e.service.name);
  }

  async #start(e: Entry): Promise<void> {
    this.#apply(e, { type: 'start' });
    await e.starting;
  }

  #apply(e: Entry, event: SupervisorEvent): { action: ReturnType<typeof transition>['action'] } {
    const { next, action } = transition(e.s, event, this.#o.policy ?? DEFAULT_RESTART_POLICY);
    e.s = next;
    const name = e.service.name;
    switch (action.type) {
      case 'schedule':
        this.#o.out.say('warn', `${name} died: restarting in ${action.delayMs / 1000} s`, {
          crashes: next.crashes.length,
        });
        e.timer = setTimeout(() => this.#apply(e, { type: 'backoff-over' }), action.delayMs);
        break;
      case 'cancel':
        clearTimeout(e.timer);
        break;
      case 'cancel-and-launch':
        clearTimeout(e.timer);
        e.starting = this.#launch(e);
        break;
      case 'launch':
        e.starting = this.#launch(e);
        break;
      case 'give-up':
        this.#o.out.say(
          'error',
          `${name} GAVE UP: it crashed ${action.crashes} times within ${(this.#o.policy ?? DEFAULT_RESTART_POLICY).windowMs / 1000} s and stays down (state failed); see its log, then \`make start SERVICE=${name}\``,
          { code: 'STACK_ERR_GAVE_UP' },
        );
        break;
      default:
        break;
    }
    this.#o.onChange();
    return { action };
  }

  #launch(e: Entry): Promise<void> {
    const abort = new AbortController();
    e.startAbort = abort;
    let current: Launched | undefined;
    const run = this.#o
      .start(e.service, abort.signal, (l) => {
        current = l;
        e.current = l;
        this.#o.launched.set(e.service.name, l);
        this.#o.onChange();
      })
      .then(
        () => {
          if (e.startAbort === abort) e.startAbort = undefined;
          if (current === undefined) throw new Error(`${e.service.name}: nothing was launched`);
          this.#watch(e, current);
          this.#apply(e, { type: 'ready' });
          this.#o.out.say('info', `${e.service.name} ready`, { pid: current.record.pid });
        },
        async (error: unknown) => {
          if (e.startAbort === abort) e.startAbort = undefined;
          if (current) await stopProcesses([current.record], { graceMs: 0, force: true });
          if (!this.#closing && !abort.signal.aborted) {
            this.#o.out.say('error', `${e.service.name} did not start`, {
              error: (error as Error).message.split('\n')[0],
            });
            this.#apply(e, { type: 'exited', at: Date.now() });
          }
          throw error;
        },
      );
    run.catch(() => undefined);
    return run;
  }

  #watch(e: Entry, l: Launched): void {
    l.exited.then((exit) => {
      if (this.#closing || e.current !== l || e.s.wanted === 'down') return;
      if (e.s.state !== 'running') return;
      this.#o.out.say('warn', `${e.service.name} exited`, { code: exit.code, signal: exit.signal });
      this.#o.onExit?.(e.service.name, exit);
      this.#apply(e, { type: 'exited', at: Date.now() });
    });
  }
}

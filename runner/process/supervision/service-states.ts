/**
 * The life of one supervised service as a state machine. Pure: from the current state and what
 * happened (it became ready, it exited, someone asked to stop or start it, a backoff ran out) to
 * the next state and what the supervisor must do. A service stopped on purpose stays stopped; one
 * that dies on its own is restarted with backoff until the restart policy gives up (`failed`).
 */
import { afterCrash, DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart-policy.ts';

export type ServiceState =
  | 'starting'
  | 'running'
  | 'restarting'
  | 'stopping'
  | 'stopped'
  | 'failed';

export interface Supervised {
  readonly state: ServiceState;
  /** What the user last asked for: `down` after a deliberate stop, until a deliberate start. */
  readonly wanted: 'up' | 'down';
  /** Times (ms) of the recent crashes, inside the give-up window. */
  readonly crashes: readonly number[];
  /** Automatic restarts so far (deliberate ones are not counted, as in Docker's RestartCount). */
  readonly restarts: number;
}

export type SupervisorEvent =
  | { readonly type: 'ready' }
  /** The process exited, or did not become ready and was killed. */
  | { readonly type: 'exited'; readonly at: number }
  | { readonly type: 'stop' }
  | { readonly type: 'start' }
  | { readonly type: 'backoff-over' };

export type SupervisorAction =
  | { readonly type: 'none' }
  | { readonly type: 'launch' }
  | { readonly type: 'signal' }
  | { readonly type: 'schedule'; readonly delayMs: number }
  | { readonly type: 'cancel' }
  | { readonly type: 'cancel-and-launch' }
  | { readonly type: 'give-up'; readonly crashes: number };

export const initialState = (): Supervised => ({
  state: 'running',
  wanted: 'up',
  crashes: [],
  restarts: 0,
});

/** A standby slot (AUTOSCALE=on): planned, not started until someone asks for it. */
export const standbyState = (): Supervised => ({
  state: 'stopped',
  wanted: 'down',
  crashes: [],
  restarts: 0,
});

const none = { type: 'none' } as const;

export function transition(
  s: Supervised,
  event: SupervisorEvent,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): { readonly next: Supervised; readonly action: SupervisorAction } {
  switch (event.type) {
    case 'ready':
      return s.state === 'starting'
        ? { next: { ...s, state: 'running' }, action: none }
        : { next: s, action: none };
    case 'exited': {
      if (s.wanted === 'down') return { next: { ...s, state: 'stopped' }, action: none };
      if (s.state === 'stopped' || s.state === 'failed') return { next: s, action: none };
      const d = afterCrash(s.crashes, event.at, policy);
      if (!d.restart)
        return {
          next: { ...s, state: 'failed', crashes: d.recent },
          action: { type: 'give-up', crashes: d.recent.length },
        };
      return {
        next: { ...s, state: 'restarting', crashes: d.recent },
        action: { type: 'schedule', delayMs: d.delayMs },
      };
    }
    case 'stop': {
      const down = { ...s, wanted: 'down' as const };
      if (s.state === 'running' || s.state === 'starting')
        return { next: { ...down, state: 'stopping' }, action: { type: 'signal' } };
      if (s.state === 'restarting')
        return { next: { ...down, state: 'stopped' }, action: { type: 'cancel' } };
      if (s.state === 'failed') return { next: { ...down, state: 'stopped' }, action: none };
      return { next: down, action: none };
    }
    case 'start': {
      const up = { ...s, wanted: 'up' as const };
      if (s.state === 'stopped' || s.state === 'failed')
        return { next: { ...up, state: 'starting', crashes: [] }, action: { type: 'launch' } };
      if (s.state === 'restarting')
        return { next: { ...up, state: 'starting' }, action: { type: 'cancel-and-launch' } };
      return { next: up, action: none };
    }
    case 'backoff-over':
      return s.state === 'restarting'
        ? {
            next: { ...s, state: 'starting', restarts: s.restarts + 1 },
            action: { type: 'launch' },
          }
        : { next: s, action: none };
  }
}

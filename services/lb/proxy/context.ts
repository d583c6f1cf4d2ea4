/** Everything the request path needs, built once by app.ts and shared by every request. */
import type { Logger } from '../../shared/logger.ts';
import type { LbConfig } from '../config/types.ts';
import type { Backend } from '../pools/backend.ts';
import type { Registry } from '../pools/registry.ts';
import type { RetryBudget } from '../retry/budget.ts';
import type { Router } from '../routing/match.ts';
import type { Admission } from './admission.ts';
import type { Engine } from './engine.ts';

export interface ProxyContext {
  readonly config: LbConfig;
  readonly registry: Registry;
  readonly router: Router;
  readonly engine: Engine;
  readonly admission: Admission;
  readonly budget: RetryBudget;
  /** The access logger, or null when access logging is off. */
  readonly accessLog: Logger | null;
  readonly log: Logger;
  /** `max-age=...` for HTTPS responses, or null. */
  readonly hsts: string | null;
  /**
   * Takes a failing backend out of rotation (here, and in the primary when in a worker);
   * `reachable` false when it refused the connection.
   */
  readonly eject: (backend: Backend, reason: string, reachable: boolean) => void;
  /** Requests the LB refused itself, by error code. */
  readonly rejected: Map<string, number>;
  draining: boolean;
  readonly idPrefix: string;
  seq: number;
}

export function countRejection(ctx: ProxyContext, code: string): void {
  ctx.rejected.set(code, (ctx.rejected.get(code) ?? 0) + 1);
}

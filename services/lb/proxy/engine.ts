/**
 * What a forwarding engine does: keep a connection pool per backend and carry one attempt of an
 * exchange to its backend, reporting back through the exchange's upstream* methods. Both engines
 * (undici, http-proxy) implement this; everything else in the LB is shared.
 */
import type { EngineName } from '../config/types.ts';
import type { Backend } from '../pools/backend.ts';
import type { Exchange } from './exchange.ts';

export interface Engine {
  readonly name: EngineName;
  /** A backend joined a pool: create its connection pool. */
  open(backend: Backend): void;
  /** A backend left: close its connections once in-flight requests are done. */
  release(backend: Backend): void;
  /** Sends the exchange's current attempt to `exchange.backend`. */
  forward(exchange: Exchange): void;
  /** After a failed attempt: can the request body (if any) still be sent to another backend? */
  canReplayBody(exchange: Exchange): boolean;
  close(): Promise<void>;
}

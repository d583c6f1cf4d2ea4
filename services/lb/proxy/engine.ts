/**
 * What a forwarding engine does: keep a connection pool per backend and carry one attempt of a
 * request to one backend. It gets what it needs as arguments (the backend, the request's streams
 * and headers, the attempt number) and reports what happens through `AttemptEvents`; it never
 * reads or writes the LB's request state. Both engines (undici, http-proxy) implement this.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EngineName } from '../config/types.ts';
import type { Backend } from '../pools/backend.ts';

/** The parts of a client request an engine may use. */
export interface Upstream {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Headers to send to the backend, flat name/value list. */
  readonly headers: readonly string[];
  readonly hasBody: boolean;
}

/** Raw response headers as the engine got them (strings from Node, Buffers from undici). */
export type RawHeaders = readonly (Buffer | string)[];

/**
 * What an attempt reports. `attempt` is the number the attempt was started with, so reports from
 * an attempt that was given up on are recognised and ignored by the receiver.
 */
export interface AttemptEvents<U extends Upstream> {
  /** The response head arrived; false when the attempt is no longer wanted (drop it). */
  head(u: U, attempt: number, status: number, raw: RawHeaders): boolean;
  /** The response ended (its body has been written to `u.res`). */
  end(u: U, attempt: number): void;
  error(u: U, attempt: number, error: unknown): void;
}

/** A running attempt, for the LB to give up on it. */
export interface AttemptHandle {
  abort(error: Error): void;
}

export interface Engine {
  readonly name: EngineName;
  /** A backend joined a pool: create its connection pool. */
  open(backend: Backend): void;
  /** A backend left: close its connections once in-flight requests are done. */
  release(backend: Backend): void;
  /** Sends one attempt of `u` to `backend`; the body (if any) is streamed into `u.res`. */
  forward<U extends Upstream>(
    backend: Backend,
    u: U,
    attempt: number,
    events: AttemptEvents<U>,
  ): AttemptHandle;
  /** After a failed attempt: can the request body (if any) still be sent to another backend? */
  canReplayBody(u: Upstream): boolean;
  close(): Promise<void>;
}

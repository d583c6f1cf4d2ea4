/**
 * Admission control (HAProxy's maxconn, maxqueue and timeout queue). A backend takes at most
 * LB_BACKEND_MAX_CONNECTIONS requests at once. A request that finds every backend it may use full
 * waits in a bounded FIFO: its sticky backend's (LB_BACKEND_MAX_QUEUE) or its pool's
 * (LB_POOL_MAX_QUEUE). A freed slot goes to the oldest request waiting for that backend or its
 * pool; a request that waits longer than LB_QUEUE_TIMEOUT_MS is given up (the caller answers 503).
 * One timer per non-empty queue, for its oldest request.
 */
import type { AdmissionSettings } from '../config/types.ts';
import type { Backend } from '../pools/backend.ts';
import type { Pool } from '../pools/pool.ts';

/** What a queued request must carry. */
export interface Waiter {
  /** The queue it waits in, or null. */
  waiting: WaitQueue | null;
  /** performance.now() when it started waiting. */
  queuedAt: number;
  /** Backends it must not be sent to (it failed there). */
  readonly tried: readonly Backend[] | null;
}

export class WaitQueue {
  readonly entries: Waiter[] = [];
  readonly capacity: number;
  /** The backend it belongs to; null for a pool's queue. */
  readonly backend: Backend | null;
  timer: NodeJS.Timeout | null = null;

  constructor(capacity: number, backend: Backend | null) {
    this.capacity = capacity;
    this.backend = backend;
  }
}

export interface AdmissionEvents {
  /** `w` may go to `b` now (a slot is free). */
  admitted(w: Waiter, b: Backend): void;
  /** `w` waited longer than the queue timeout. */
  expired(w: Waiter): void;
}

export class Admission {
  readonly #settings: AdmissionSettings;
  readonly #events: AdmissionEvents;
  readonly #backends = new Map<Backend, WaitQueue>();
  readonly #pools = new Map<string, WaitQueue>();
  #waiting = 0;

  constructor(settings: AdmissionSettings, events: AdmissionEvents) {
    this.#settings = settings;
    this.#events = events;
  }

  /** Requests waiting in every queue. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Queues `r` for `backend`; false when that queue is full. */
  waitFor(backend: Backend, r: Waiter): boolean {
    let q = this.#backends.get(backend);
    if (q === undefined) {
      q = new WaitQueue(this.#settings.backendMaxQueue, backend);
      this.#backends.set(backend, q);
    }
    return this.#enqueue(q, r);
  }

  /** Queues `r` for any backend of `pool`; false when the pool's queue is full. */
  waitIn(pool: Pool, r: Waiter): boolean {
    let q = this.#pools.get(pool.name);
    if (q === undefined) {
      q = new WaitQueue(this.#settings.poolMaxQueue, null);
      this.#pools.set(pool.name, q);
    }
    return this.#enqueue(q, r);
  }

  /** Takes `r` out of its queue (its client left). */
  leave(r: Waiter): void {
    const q = r.waiting;
    if (q === null) return;
    const i = q.entries.indexOf(r);
    if (i !== -1) q.entries.splice(i, 1);
    this.#left(q, r);
  }

  /** `b` may have a free slot: give it to the oldest request waiting for it or for its pool. */
  slotFreed(b: Backend): void {
    const limit = this.#settings.backendMaxConnections;
    while (this.#waiting > 0 && b.inflight < limit && b.routable && !b.removed) {
      const own = this.#backends.get(b)?.entries[0];
      const pool = this.#pools.get(b.pool);
      const shared = pool?.entries.find((r) => b.weight > 0 && !(r.tried?.includes(b) ?? false));
      const next =
        own === undefined || (shared !== undefined && shared.queuedAt < own.queuedAt)
          ? shared
          : own;
      if (next === undefined) return;
      this.leave(next);
      this.#events.admitted(next, b);
    }
  }

  /** How many wait for `pool` or one of its backends (for the stats). */
  queuedIn(pool: Pool): number {
    let n = this.#pools.get(pool.name)?.entries.length ?? 0;
    for (const b of pool.backends) n += this.#backends.get(b)?.entries.length ?? 0;
    return n;
  }

  #enqueue(q: WaitQueue, r: Waiter): boolean {
    if (q.entries.length >= q.capacity) return false;
    r.waiting = q;
    r.queuedAt = performance.now();
    q.entries.push(r);
    this.#waiting++;
    if (q.timer === null) this.#arm(q);
    return true;
  }

  #left(q: WaitQueue, r: Waiter): void {
    r.waiting = null;
    this.#waiting--;
    if (q.entries.length > 0) return;
    if (q.timer !== null) clearTimeout(q.timer);
    q.timer = null;
    if (q.backend !== null) this.#backends.delete(q.backend);
  }

  #arm(q: WaitQueue): void {
    const head = q.entries[0];
    if (head === undefined) return;
    const due = head.queuedAt + this.#settings.queueTimeoutMs - performance.now();
    q.timer = setTimeout(() => this.#expire(q), Math.max(1, due));
    q.timer.unref();
  }

  #expire(q: WaitQueue): void {
    q.timer = null;
    const now = performance.now();
    const timeout = this.#settings.queueTimeoutMs;
    for (let head = q.entries[0]; head !== undefined; head = q.entries[0]) {
      if (now - head.queuedAt < timeout) break;
      q.entries.shift();
      this.#left(q, head);
      this.#events.expired(head);
    }
    if (q.entries.length > 0 && q.timer === null) this.#arm(q);
  }
}

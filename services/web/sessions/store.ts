/**
 * What a login session holds and where it lives. The cart is kept in the session (the notes' Bob):
 * with SESSION_STORE=memory each web server has its own sessions; with redis they are shared.
 * Changes go through `update`, atomic in both stores, so two tabs changing the cart at once both
 * land.
 */
export interface SessionData {
  /** A number unsharded; decimal text for a 64-bit sharded id. */
  readonly userId: number | string;
  readonly username: string;
  /** When the session was created (ms since epoch): /api/me reports its age. */
  readonly createdAt: number;
  /** sku → quantity. */
  readonly cart: Readonly<Record<string, number>>;
  /** Idempotency-Key → response, for writes held in the session itself (cart items). */
  readonly replies?: Readonly<Record<string, { readonly hash: string; readonly body: unknown }>>;
  /** Names this content of the cart: new whenever the cart changes; checkout is once per token. */
  readonly cartToken?: string;
  /** The last few cart tokens whose order has been taken out of the cart (shop/checkout.ts). */
  readonly checkedOut?: readonly string[];
}

/** A change to a session: the new data (the same object when nothing changes) and a result. */
export interface SessionChange<R> {
  readonly data: SessionData;
  readonly result: R;
}

export interface SessionStore {
  readonly kind: 'memory' | 'redis';
  get(id: string): Promise<SessionData | undefined>;
  set(id: string, data: SessionData, ttlSeconds: number): Promise<void>;
  /**
   * Applies `change` atomically: no other change of the same session lands between its read and
   * its write (`change` may run more than once, so it must be pure). Returns the change that
   * landed, undefined when the session is gone.
   */
  update<R>(
    id: string,
    change: (data: SessionData) => SessionChange<R>,
    ttlSeconds: number,
  ): Promise<SessionChange<R> | undefined>;
  destroy(id: string): Promise<void>;
  /** Sessions held, where the store can tell cheaply (memory); undefined otherwise. */
  size(): number | undefined;
  close(): Promise<void>;
}

export class SessionStoreUnavailableError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`session store unavailable: ${reason}`, options);
    this.name = 'SessionStoreUnavailableError';
  }
}

/** Parses a stored session, rejecting anything that is not the shape this code writes. */
export function decodeSession(text: string): SessionData | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (
    !(
      typeof v.userId === 'number' ||
      (typeof v.userId === 'string' && /^[1-9][0-9]{0,18}$/.test(v.userId))
    ) ||
    typeof v.username !== 'string' ||
    typeof v.createdAt !== 'number'
  ) {
    return undefined;
  }
  if (typeof v.cart !== 'object' || v.cart === null) return undefined;
  return value as SessionData;
}

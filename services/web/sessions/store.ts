/**
 * What a login session holds and where it lives. The cart is kept in the session (the notes' Bob):
 * with SESSION_STORE=memory each web server has its own sessions; with redis they are shared.
 */
export interface SessionData {
  readonly userId: number;
  readonly username: string;
  /** When the session was created (ms since epoch): /api/me reports its age. */
  readonly createdAt: number;
  /** sku → quantity. */
  readonly cart: Readonly<Record<string, number>>;
  /** Idempotency-Key → response, for writes held in the session itself (cart items). */
  readonly replies?: Readonly<Record<string, { readonly hash: string; readonly body: unknown }>>;
}

export interface SessionStore {
  readonly kind: 'memory' | 'redis';
  get(id: string): Promise<SessionData | undefined>;
  set(id: string, data: SessionData, ttlSeconds: number): Promise<void>;
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
    typeof v.userId !== 'number' ||
    typeof v.username !== 'string' ||
    typeof v.createdAt !== 'number'
  ) {
    return undefined;
  }
  if (typeof v.cart !== 'object' || v.cart === null) return undefined;
  return value as SessionData;
}

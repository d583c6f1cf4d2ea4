/**
 * A steady mixed load through the LB for fault drills: logged-in users reading the feed and posts,
 * anonymous visitors, posts and uploads written through the ledger, carts and logins, each user in
 * its own browser (closed loop: one request at a time per user, so the load is bounded). Every
 * answer is recorded (time, kind, status, error code), so a drill can count what failed, when, and
 * how long the stack took to recover.
 */
import { Agent } from 'undici';
import { Ledger } from '../ledger/ledger.ts';
import { type Account, type LoggedIn, logIn } from './accounts.ts';
import { type ActionContext, act, type Kind, type Outcome } from './actions.ts';

export type { Kind, Outcome };

export interface MixedLoad {
  /** ms since the load started. */
  now(): number;
  readonly outcomes: Outcome[];
  readonly ledger: Ledger;
  readonly dispatcher: Agent;
  /** Stops the loops and waits for the requests in flight (idempotent). */
  stop(): Promise<Outcome[]>;
  /** Closes the connections (after the ledger has been checked). */
  close(): Promise<void>;
}

export interface LoadOptions {
  readonly entry: string;
  readonly ca: Buffer;
  /** The users (one loop each); `createAccounts` makes them. */
  readonly accounts: readonly Account[];
  /** Pause between a user's requests (default 20 ms). */
  readonly thinkMs?: number;
  /** Weight of each kind (`ryw` follows every successful write). */
  readonly mix?: Partial<Record<Kind, number>>;
  /** Stop on our own after this many requests, whatever the caller does (default 200,000). */
  readonly maxRequests?: number;
}

export const DEFAULT_MIX: Readonly<Record<Kind, number>> = {
  feed: 3,
  anon: 2,
  read: 3,
  write: 2,
  ryw: 0,
  cart: 1,
  login: 0.2,
  upload: 0.4,
};

/** Picks a kind by weight; `r` in [0, 1). Pure. */
export function pickKind(mix: Readonly<Record<Kind, number>>, r: number): Kind {
  const entries = (Object.entries(mix) as [Kind, number][]).filter(([, w]) => w > 0);
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let left = r * total;
  for (const [kind, weight] of entries) {
    left -= weight;
    if (left < 0) return kind;
  }
  return entries[entries.length - 1]?.[0] ?? 'feed';
}

export async function startMixedLoad(o: LoadOptions): Promise<MixedLoad> {
  const dispatcher = new Agent({ connect: { ca: o.ca }, keepAliveTimeout: 4000 });
  const users: LoggedIn[] = [];
  for (const account of o.accounts) users.push(await logIn(o.entry, dispatcher, account));
  const ledger = new Ledger();
  const outcomes: Outcome[] = [];
  const postIds: string[] = [];
  const mix = { ...DEFAULT_MIX, ...o.mix };
  const maxRequests = o.maxRequests ?? 200_000;
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  let running = true;

  const loop = async (user: LoggedIn): Promise<void> => {
    const context: ActionContext = {
      browser: user.browser,
      username: user.account.username,
      password: user.account.password,
      ledger,
      postIds,
      now,
      record: (outcome) => outcomes.push(outcome),
    };
    while (running && outcomes.length < maxRequests) {
      await act(context, pickKind(mix, Math.random()));
      await new Promise((r) => setTimeout(r, o.thinkMs ?? 20));
    }
  };
  const loops = users.map((u) => loop(u));
  let stopped: Promise<Outcome[]> | undefined;
  return {
    now,
    outcomes,
    ledger,
    dispatcher,
    stop() {
      running = false;
      stopped ??= Promise.all(loops).then(() => outcomes);
      return stopped;
    },
    async close() {
      running = false;
      await stopped;
      await dispatcher.close();
    },
  };
}

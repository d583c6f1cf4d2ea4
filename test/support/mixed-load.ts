/**
 * The product's mixed load (loadtest/mixed-load) for integration tests: its own users signed up
 * on the stack under test, the kinds these tests were written for (logged-in feed and post
 * reads, posts through the ledger with their read-back, carts), stopped when the test ends if the
 * test did not stop it (a failed assertion).
 */
import type { TestContext } from 'node:test';
import { Agent } from 'undici';
import { createAccounts } from '../../loadtest/mixed-load/accounts.ts';
import {
  type Kind,
  type MixedLoad,
  startMixedLoad as start,
} from '../../loadtest/mixed-load/load.ts';

export type { Outcome } from '../../loadtest/mixed-load/load.ts';
export type { Kind, MixedLoad };

export interface TestLoadOptions {
  readonly entry: string;
  readonly ca: Buffer;
  /** Concurrent users (default 6). */
  readonly users?: number;
  readonly thinkMs?: number;
  /** Weights; kinds not named here are not sent. */
  readonly mix?: Partial<Record<Kind, number>>;
}

const TEST_MIX: Record<Kind, number> = {
  feed: 3,
  anon: 0,
  read: 3,
  write: 2,
  ryw: 0,
  cart: 2,
  login: 0,
  upload: 0,
};

export async function startMixedLoad(t: TestContext, o: TestLoadOptions): Promise<MixedLoad> {
  const dispatcher = new Agent({ connect: { ca: o.ca } });
  const accounts = await createAccounts(o.entry, dispatcher, o.users ?? 6).finally(() =>
    dispatcher.close(),
  );
  const load = await start({
    entry: o.entry,
    ca: o.ca,
    accounts,
    ...(o.thinkMs === undefined ? {} : { thinkMs: o.thinkMs }),
    mix: { ...TEST_MIX, ...(o.mix ? { feed: 0, read: 0, write: 0, cart: 0, ...o.mix } : {}) },
  });
  t.after(async () => {
    await load.stop();
    await load.close();
  });
  return load;
}

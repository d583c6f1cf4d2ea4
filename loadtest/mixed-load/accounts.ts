/**
 * The load's users: accounts made once (sign-up is rate limited per client) and logged in by each
 * load that uses them, every user in its own browser.
 */
import { randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { Browser } from './browser.ts';

export interface Account {
  readonly username: string;
  readonly password: string;
}

export interface LoggedIn {
  readonly account: Account;
  readonly browser: Browser;
}

const PASSWORD = 'drill-load-password';

export async function createAccounts(
  entry: string,
  dispatcher: Dispatcher,
  count: number,
): Promise<Account[]> {
  const tag = randomBytes(4).toString('hex');
  const accounts: Account[] = [];
  for (let i = 0; i < count; i++) {
    const account = { username: `drill_${tag}_${i}`, password: PASSWORD };
    const answer = await new Browser(entry, dispatcher).send('POST', '/api/users', {
      json: account,
    });
    if (answer.status !== 201)
      throw new Error(`sign-up of a load user: ${answer.status} ${answer.code} ${answer.text}`);
    accounts.push(account);
  }
  return accounts;
}

export async function logIn(
  entry: string,
  dispatcher: Dispatcher,
  account: Account,
): Promise<LoggedIn> {
  const browser = new Browser(entry, dispatcher);
  const answer = await browser.send('POST', '/api/sessions', { json: account });
  if (answer.status !== 200)
    throw new Error(`login of ${account.username}: ${answer.status} ${answer.code}`);
  return { account, browser };
}

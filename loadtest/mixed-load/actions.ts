/**
 * One request of each kind the mixed load sends. Writes (posts, uploads) go through the ledger:
 * a unique Idempotency-Key per write, reused by its retries (an answer of 0, 502, 503 or 504 is
 * retried twice, as a careful client would), each attempt recorded. A post is followed by its
 * author reading it back (`ryw`): a 404 there is a read-your-writes failure.
 */
import { randomBytes } from 'node:crypto';
import { FormData } from 'undici';
import type { Ledger, LedgerEntry } from '../ledger/ledger.ts';
import type { Answer, Browser } from './browser.ts';
import { uniquePng } from './images.ts';

export const KINDS = ['feed', 'anon', 'read', 'write', 'ryw', 'cart', 'login', 'upload'] as const;
export type Kind = (typeof KINDS)[number];

export interface Outcome {
  /** ms since the load started. */
  readonly at: number;
  readonly kind: Kind;
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  /** The JSON error code of a 4xx/5xx, or the network error code. */
  readonly code: string;
  readonly ms: number;
}

export interface ActionContext {
  readonly browser: Browser;
  readonly username: string;
  readonly password: string;
  readonly ledger: Ledger;
  readonly postIds: string[];
  readonly now: () => number;
  readonly record: (o: Outcome) => void;
}

const RETRY_STATUSES = new Set([0, 502, 503, 504]);
const RETRY_DELAYS_MS = [300, 1000];

async function timed(c: ActionContext, kind: Kind, run: () => Promise<Answer>): Promise<Answer> {
  const at = c.now();
  const answer = await run();
  const outcome = { at, kind, status: answer.status, code: answer.code, ms: c.now() - at };
  c.record(outcome);
  return answer;
}

async function ledgered(
  c: ActionContext,
  kind: 'write' | 'upload',
  entry: LedgerEntry,
  run: () => Promise<Answer>,
): Promise<Answer> {
  let answer: Answer = { status: 0, code: 'not-sent', text: '' };
  for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt - 1]));
    const at = c.now();
    answer = await timed(c, kind, run);
    let returned: { id?: string; url?: string } = {};
    if (answer.status >= 200 && answer.status < 300) {
      const body = JSON.parse(answer.text) as { id?: number | string; url?: string };
      returned = {
        ...(body.id === undefined ? {} : { id: String(body.id) }),
        ...(body.url ? { url: body.url } : {}),
      };
    }
    c.ledger.record(
      entry,
      { at, ms: c.now() - at, status: answer.status, code: answer.code },
      returned,
    );
    if (!RETRY_STATUSES.has(answer.status)) break;
  }
  return answer;
}

async function writePost(c: ActionContext): Promise<Answer> {
  const key = randomBytes(12).toString('hex');
  const body = `drill post ${key}`;
  const entry = c.ledger.open({ key, kind: 'post', user: c.username, body });
  const answer = await ledgered(c, 'write', entry, () =>
    c.browser.send('POST', '/api/posts', { json: { body }, idempotencyKey: key }),
  );
  if (entry.id === undefined || answer.status !== 201) return answer;
  if (c.postIds.length < 1000) c.postIds.push(entry.id);
  await timed(c, 'ryw', () => c.browser.send('GET', `/api/posts/${entry.id}`));
  return answer;
}

async function upload(c: ActionContext): Promise<Answer> {
  const key = randomBytes(12).toString('hex');
  const image = await uniquePng();
  const entry = c.ledger.open({ key, kind: 'upload', user: c.username, ...image });
  return ledgered(c, 'upload', entry, () => {
    const form = new FormData();
    form.append('file', new Blob([image.bytes], { type: 'image/png' }), 'drill.png');
    return c.browser.send('POST', '/api/media', { form, idempotencyKey: key });
  });
}

export async function act(c: ActionContext, kind: Kind): Promise<void> {
  const id = c.postIds[Math.floor(Math.random() * c.postIds.length)] ?? '1';
  let answer: Answer | undefined;
  switch (kind) {
    case 'write':
      answer = await writePost(c);
      break;
    case 'upload':
      answer = await upload(c);
      break;
    case 'feed':
      answer = await timed(c, kind, () => c.browser.send('GET', '/api/feed?limit=5'));
      break;
    case 'anon':
      await timed(c, kind, () => c.browser.send('GET', '/api/feed?limit=5', { anonymous: true }));
      return;
    case 'read':
      if (c.postIds.length === 0) return act(c, 'feed');
      answer = await timed(c, kind, () => c.browser.send('GET', `/api/posts/${id}`));
      break;
    case 'ryw':
      return;
    case 'cart':
      answer = await timed(c, kind, () => c.browser.send('GET', '/api/cart'));
      break;
    case 'login':
      answer = await logInAgain(c);
      break;
  }
  // A session lost with its store (Redis restarted empty): log in again, as a person would.
  if (answer?.status === 401 && kind !== 'login') await logInAgain(c);
}

const logInAgain = (c: ActionContext): Promise<Answer> =>
  timed(c, 'login', () =>
    c.browser.send('POST', '/api/sessions', {
      json: { username: c.username, password: c.password },
    }),
  );

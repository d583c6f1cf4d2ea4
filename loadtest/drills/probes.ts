/**
 * Checks a drill makes after the heal. `freshFeed`: a logged-in user posts, then an anonymous
 * visitor polls the feed until the post shows (the cache keeps pages 5 s: a stale cached view
 * would show up as ≥ 5 s).
 */
import { randomBytes } from 'node:crypto';
import { Agent } from 'undici';
import { Browser } from '../mixed-load/browser.ts';
import type { ProbeContext } from './drill.ts';
import { waitFor } from './faults/fault.ts';

export async function freshFeed(c: ProbeContext): Promise<Record<string, number>> {
  const dispatcher = new Agent({ connect: { ca: c.ca } });
  try {
    const author = new Browser(c.entry, dispatcher);
    const account = {
      username: `probe_${randomBytes(5).toString('hex')}`,
      password: 'probe-password-1',
    };
    await author.send('POST', '/api/users', { json: account });
    await author.send('POST', '/api/sessions', { json: account });
    const body = `fresh ${randomBytes(8).toString('hex')}`;
    const written = await author.send('POST', '/api/posts', { json: { body } });
    if (written.status !== 201) return {};
    const visitor = new Browser(c.entry, dispatcher);
    const shown = await waitFor(async () => {
      const feed = await visitor.send('GET', '/api/feed?limit=20', { anonymous: true });
      return feed.status === 200 && feed.text.includes(body);
    }, 10_000);
    return shown === undefined ? {} : { freshFeedAfterMs: shown };
  } finally {
    await dispatcher.close();
  }
}

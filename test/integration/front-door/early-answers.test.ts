/**
 * Drill 3 of issue 6, against the shared test stack (the product's LB and web settings): a body
 * over the server's limit is refused by the server before it has all arrived. The LB relays that
 * early answer (413, as straight from the server) instead of a 502, does not retry it, and does
 * not hold it against the backend.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Agent, FormData, request } from 'undici';
import type { LbStats } from '../../support/own-stack.ts';
import { readStackFile, serviceOf } from '../../support/stack.ts';

const MB = 1024 * 1024;

test('bodies over the limit get the server’s 413 through the LB, never a 502', async (t) => {
  const stack = readStackFile();
  const lb = serviceOf(stack, 'lb');
  const dispatcher = new Agent({
    connect: { ca: readFileSync(join(lb.dataDir, 'dev-cert.pem')) },
  });
  t.after(() => dispatcher.close());
  const stats = async () =>
    (await (await fetch(`http://${lb.host}:${lb.ports.admin}/stats.json`)).json()) as LbStats;
  const send = async (path: string, body: string | FormData, headers: Record<string, string>) => {
    try {
      const r = await request(new URL(path, stack.entry ?? ''), {
        method: 'POST',
        body,
        headers,
        dispatcher,
        headersTimeout: 60_000,
        bodyTimeout: 60_000,
      });
      const text = await r.body.text();
      return `${r.statusCode} ${text.includes('"code"') ? (JSON.parse(text) as { error: { code: string } }).error.code : text.slice(0, 40)}`;
    } catch (error) {
      return `0 ${String((error as { code?: unknown }).code ?? error)}`;
    }
  };
  const user = { username: `early_${Date.now().toString(36)}`, password: 'early-answers-1' };
  const json = { 'content-type': 'application/json' };
  await send('/api/users', JSON.stringify(user), json);
  const login = await request(new URL('/api/sessions', stack.entry ?? ''), {
    method: 'POST',
    body: JSON.stringify(user),
    headers: json,
    dispatcher,
  });
  await login.body.text();
  const sid = [login.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('sid='));
  assert.ok(sid, 'logged in');
  const cookie = sid.split(';')[0] ?? '';

  const before = await stats();
  const answers: Record<string, string[]> = {};
  const note = (what: string, answer: string) => {
    answers[what] = [...(answers[what] ?? []), answer];
  };
  for (const size of [3 * MB, 1.1 * MB]) {
    const body = JSON.stringify({ body: 'x'.repeat(Math.round(size)) });
    for (let i = 0; i < 5; i++)
      note(`${size / MB} MB JSON`, await send('/api/posts', body, { ...json, cookie }));
  }
  const big = new Uint8Array(20 * MB).fill(0xff);
  for (let i = 0; i < 3; i++) {
    const form = new FormData();
    form.append('file', new Blob([big]), 'huge.jpg');
    note('20 MB multipart', await send('/api/media', form, { cookie }));
  }
  t.diagnostic(`drill 3: ${JSON.stringify(answers)}`);
  for (const [what, got] of Object.entries(answers))
    for (const answer of got) assert.equal(answer, '413 WEB_ERR_BODY_TOO_LARGE', what);

  const after = await stats();
  const counters = (s: LbStats) =>
    s.pools
      .flatMap((p) => p.backends)
      .map((b) => ({
        address: b.address,
        up: b.up,
        ejections: b.ejections,
        failures: JSON.stringify((b as unknown as { failures: unknown }).failures),
      }));
  assert.deepEqual(counters(after), counters(before), 'no backend failure counted, none ejected');
});

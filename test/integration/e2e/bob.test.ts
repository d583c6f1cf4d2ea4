/**
 * The notes' Bob: three web servers with sessions in each server's memory. Without stickiness the
 * cart loses items (each request may land on a server that never saw the session); with the LB's
 * sticky cookie every request of a session reaches the same server and nothing is lost.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startStack } from '../../../runner/stack/api.ts';
import { Client } from '../../support/http.ts';
import { baseStackEnv, serviceOf } from '../../support/stack.ts';

const BOB = { STAGE: '1', WEB_REPLICAS: '3', SESSION_STORE: 'memory' };

async function shopAsBob(
  sticky: 'off' | 'cookie',
): Promise<{ kept: number; added: number; servers: Set<string> }> {
  const stackDir = mkdtempSync(join(tmpdir(), 'scaling-lab-bob-'));
  const stack = await startStack({
    env: { ...baseStackEnv(), ...BOB, STICKY: sticky },
    stackDir,
    portBase: 'auto',
  });
  try {
    const ca = readFileSync(join(serviceOf(stack.info, 'lb').dataDir, 'dev-cert.pem'));
    const bob = new Client(stack.info.entry ?? '', { ca });
    const credentials = { username: `bob_${sticky}`, password: 'books-books' };
    assert.equal((await bob.post('/api/users', { json: credentials })).status, 201);
    assert.equal(
      (await bob.post('/api/sessions', { json: credentials })).status,
      200,
      'Bob logs in on one server',
    );
    const servers = new Set<string>();
    let added = 0;
    for (let i = 0; i < 12; i++) {
      const reply = await bob.post<{ server?: string }>('/api/cart/items', {
        json: { sku: 'BOOK-001', qty: 1 },
      });
      const server = [reply.headers['x-served-by'] ?? []].flat()[0];
      if (server) servers.add(server);
      if (reply.status === 200) added += 1;
    }
    const cart = await bob.get<{ count?: number }>('/api/cart');
    return { kept: cart.body.count ?? 0, added, servers };
  } finally {
    await stack.stop();
    rmSync(stackDir, { recursive: true, force: true });
  }
}

test('memory sessions without stickiness lose the cart; the sticky cookie keeps it', async () => {
  const loose = await shopAsBob('off');
  assert.ok(
    loose.servers.size > 1,
    `round-robin spreads Bob over servers (${[...loose.servers].join(', ')})`,
  );
  assert.ok(
    loose.added < 12,
    `some adds land where Bob has no session (${loose.added} of 12 accepted)`,
  );
  const sticky = await shopAsBob('cookie');
  assert.equal(sticky.servers.size, 1, 'every request of the session reaches one server');
  assert.equal(sticky.added, 12);
  assert.equal(sticky.kept, 12, 'nothing is lost');
});

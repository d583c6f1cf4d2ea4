/**
 * Protocol safety through the real LB for both engines: the smuggling/malformed corpus on raw
 * sockets, header hygiene both ways, slow clients, TLS versions, HTTP→HTTPS redirect and HSTS.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { bodyOf, rawExchange, statusOf } from '../../../loadtest/bench-lb/raw.ts';
import { SMUGGLING_CORPUS } from '../../../loadtest/bench-lb/smuggling-corpus.ts';
import { startBackends, type TestBackend } from './support/backends.ts';
import { client, eventually, send } from './support/client.ts';
import { baseEnv, ENGINES, startLb } from './support/lb.ts';

const forwarded = (b: TestBackend) => b.requests.filter((l) => !l.endsWith(' /health/ready'));

function tlsHandshake(host: string, port: number, version: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3') {
  return new Promise<{ ok: boolean; protocol: string | null; code: string }>((resolve) => {
    const socket = tlsConnect({
      host,
      port,
      servername: 'localhost',
      minVersion: version,
      maxVersion: version,
      ciphers: 'DEFAULT@SECLEVEL=0',
      rejectUnauthorized: false,
    });
    socket.once('secureConnect', () => {
      resolve({ ok: true, protocol: socket.getProtocol(), code: '' });
      socket.destroy();
    });
    socket.once('error', (e: NodeJS.ErrnoException) =>
      resolve({ ok: false, protocol: null, code: e.code ?? e.message }),
    );
  });
}

for (const [index, engine] of ENGINES.entries()) {
  const net = 80 + index * 10;
  describe(`protocol safety (${engine})`, () => {
    test('smuggling and malformed corpus: 400/431, connection closed, zero backend hits', async (t) => {
      const backends = await startBackends(t, 2, net + 1, { record: true });
      const { ports, host } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        LB_POOLS: `web=${backends.map((b) => b.address()).join(',')}`,
      });
      const problems: string[] = [];
      for (const c of SMUGGLING_CORPUS) {
        const r = await rawExchange(host, ports.http, c.raw);
        const status = statusOf(r.response);
        if (status !== c.expect)
          problems.push(`${c.name}: got ${status || 'no response'}, want ${c.expect}`);
        if (!r.closedByServer) problems.push(`${c.name}: connection left open`);
        if (/^HTTP\/1\.1 \d{3}[\s\S]*HTTP\/1\.1 \d{3}/.test(r.response))
          problems.push(`${c.name}: two responses`);
      }
      assert.deepEqual(problems, []);
      assert.deepEqual(backends.flatMap(forwarded), [], 'nothing reached a backend');
      const ok = await rawExchange(
        host,
        ports.http,
        'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
      );
      assert.equal(statusOf(ok.response), 200, 'a well-formed request still works');
    });

    test('header hygiene: forwarding headers set by the LB, hop-by-hop removed both ways', async (t) => {
      const [backend] = await startBackends(t, 1, net + 1);
      const { origin } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        STICKY: 'cookie',
        LB_POOLS: `web=${backend?.address()}`,
      });
      const request = [
        'GET /echo HTTP/1.1',
        `Host: ${new URL(origin).host}`,
        'X-Forwarded-For: 6.6.6.6',
        'X-Forwarded-Proto: https',
        'X-Forwarded-Host: evil.test',
        'Forwarded: for=6.6.6.6',
        'X-Real-IP: 6.6.6.6',
        'X-Request-Id: client-chosen',
        'X-Secret: must-not-pass',
        'Connection: close, X-Secret, X-Other',
        'X-Other: must-not-pass',
        'Keep-Alive: timeout=100',
        'Proxy-Authorization: Basic eA==',
        'TE: trailers',
        'Upgrade: websocket',
        'X-App: kept',
        'Cookie: session=abc; lb_srv=AAAAAAAAAAAAAAAAAAAAAA',
      ].join('\r\n');
      const target = new URL(origin);
      const exchange = await rawExchange(
        target.hostname,
        Number(target.port),
        `${request}\r\n\r\n`,
      );
      const split = exchange.response.indexOf('\r\n\r\n');
      const responseHead = exchange.response.slice(0, split);
      const r = {
        status: statusOf(exchange.response),
        body: bodyOf(exchange.response),
        headers: { 'x-request-id': /\r\nx-request-id: (\S+)/i.exec(responseHead)?.[1] },
      };
      assert.equal(r.status, 200);
      const raw = (JSON.parse(r.body) as { headers: string[] }).headers;
      const seen = new Map<string, string[]>();
      for (let i = 0; i < raw.length; i += 2) {
        const name = (raw[i] as string).toLowerCase();
        seen.set(name, [...(seen.get(name) ?? []), raw[i + 1] as string]);
      }
      assert.deepEqual(seen.get('x-forwarded-for'), ['127.0.0.1']);
      assert.deepEqual(seen.get('x-forwarded-proto'), ['http']);
      assert.deepEqual(seen.get('x-forwarded-host'), [new URL(origin).host]);
      assert.deepEqual(seen.get('x-request-id'), [String(r.headers['x-request-id'])]);
      assert.notEqual(r.headers['x-request-id'], 'client-chosen');
      assert.deepEqual(seen.get('cookie'), ['session=abc'], 'the sticky cookie is stripped');
      assert.deepEqual(seen.get('x-app'), ['kept']);
      for (const gone of [
        'forwarded',
        'x-real-ip',
        'x-secret',
        'x-other',
        'proxy-authorization',
        'te',
        'upgrade',
      ])
        assert.equal(seen.get(gone), undefined, `${gone} is not forwarded`);
      const agent = client(2);
      t.after(() => agent.close());
      const plain = await send(agent, `${origin}/hop`);
      assert.equal(
        plain.headers['x-backend-hop'],
        undefined,
        'a header the backend named in Connection is dropped',
      );
      assert.equal(
        plain.headers['keep-alive'],
        'timeout=5',
        "the LB's own keep-alive, not the backend's",
      );
      assert.equal(plain.headers['x-served-by'], 'b1');
    });

    test('slow clients (slowloris): 408 and closed after the header timeout; others unaffected', async (t) => {
      const [backend] = await startBackends(t, 1, net + 1);
      const { origin, ports, host } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        LB_CLIENT_HEADER_TIMEOUT_MS: '1000',
        LB_POOLS: `web=${backend?.address()}`,
      });
      const started = performance.now();
      const slow = rawExchange(
        host,
        ports.http,
        'GET / HTTP/1.1\r\nHost: a\r\nX-Slow: 1\r\n',
        8000,
      );
      const agent = client(2);
      t.after(() => agent.close());
      assert.equal((await send(agent, `${origin}/`)).status, 200);
      const r = await slow;
      const ms = performance.now() - started;
      assert.equal(statusOf(r.response), 408);
      assert.ok(r.closedByServer && ms < 5000, `closed after ${ms} ms`);
    });

    test('a stalled request body is cut off by the client idle timeout; the upstream attempt ends', async (t) => {
      const [backend] = await startBackends(t, 1, net + 1);
      const { origin, ports, host, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        LB_CLIENT_IDLE_TIMEOUT_MS: '1500',
        LB_RESPONSE_TIMEOUT_MS: '1000',
        LB_POOLS: `web=${backend?.address()}`,
      });
      const started = performance.now();
      const stalled = await rawExchange(
        host,
        ports.http,
        'POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\npartial body',
        10_000,
      );
      const ms = performance.now() - started;
      assert.ok(stalled.closedByServer, 'the LB closed the connection');
      assert.ok(ms < 4500, `closed after ${ms} ms (idle timeout 1.5 s, response timeout 1 s)`);
      await eventually(() => lb.context.budget.active === 0, 5000, 'no exchange left in flight');
      assert.equal(lb.registry.all()[0]?.inflight, 0);
      const agent = client(2);
      t.after(() => agent.close());
      assert.equal((await send(agent, `${origin}/`)).status, 200, 'other traffic unaffected');
    });

    test('TLS: 1.1 refused, 1.2 and 1.3 accepted; HTTP redirected with 308; HSTS on HTTPS', async (t) => {
      const [backend] = await startBackends(t, 1, net + 1);
      const env = baseEnv(t, engine, `127.0.0.${net}`);
      const { ports, host, lb } = await startLb(t, {
        ...env,
        LB_TLS: 'on',
        LB_REDIRECT_HTTPS_PORT: '8443',
        LB_POOLS: `web=${backend?.address()}`,
      });
      const https = ports.https as number;
      assert.ok(
        existsSync(join(lb.config.dataDir, 'dev-cert.pem')),
        'a dev certificate is kept in the data dir',
      );
      const v11 = await tlsHandshake(host, https, 'TLSv1.1');
      assert.equal(v11.ok, false);
      assert.equal(
        v11.code,
        'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
        'the server refuses it (alert 70)',
      );
      assert.deepEqual(await tlsHandshake(host, https, 'TLSv1.2'), {
        ok: true,
        protocol: 'TLSv1.2',
        code: '',
      });
      assert.deepEqual(await tlsHandshake(host, https, 'TLSv1.3'), {
        ok: true,
        protocol: 'TLSv1.3',
        code: '',
      });
      const agent = client(2);
      t.after(() => agent.close());
      const secure = await send(agent, `https://${host}:${https}/echo`);
      assert.equal(secure.status, 200);
      assert.equal(secure.headers['strict-transport-security'], 'max-age=31536000');
      const proto = (JSON.parse(secure.body) as { headers: string[] }).headers;
      assert.equal(proto[proto.indexOf('x-forwarded-proto') + 1], 'https');
      const redirect = await send(agent, `http://${host}:${ports.http}/a/b?c=1`, {
        method: 'POST',
        body: 'x',
      });
      assert.equal(redirect.status, 308);
      assert.equal(redirect.headers.location, `https://${host}:8443/a/b?c=1`);
      assert.equal(
        redirect.headers['strict-transport-security'],
        undefined,
        'no HSTS over plain HTTP',
      );
      const bad = await rawExchange(
        host,
        ports.http,
        'GET / HTTP/1.1\r\nHost: evil.test/x\r\n\r\n',
      );
      assert.equal(statusOf(bad.response), 400, 'a bad Host never shapes a redirect');
      assert.deepEqual(forwarded(backend as TestBackend), []);
    });
  });
}

/**
 * The anchor: Varnish (Debian's varnishd) on loopback, in the foreground, with a VCL that caches
 * everything its origin sends for an hour in memory (malloc storage), pinned to the target CPU.
 * Its origin is a tiny in-process HTTP server holding the same objects the store holds (the
 * private bucket needs signed requests, which Varnish cannot make); only hits are measured.
 */

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Started, start } from '../bench-lb/procs.ts';

export interface Varnish {
  readonly url: string;
  readonly pid: number;
  /** Requests Varnish sent to its origin. */
  originRequests(): number;
  stop(): Promise<void>;
}

function origin(objects: ReadonlyMap<string, Buffer>): { server: Server; count: () => number } {
  let count = 0;
  const server = createServer((req, res) => {
    count += 1;
    const body = objects.get((req.url ?? '').replace(/^\/files\//, ''));
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/css', 'content-length': body.length, etag: '"v1"' });
    res.end(body);
  });
  return { server, count: () => count };
}

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a !== null ? a.port : 0);
    }),
  );

export async function startVarnish(
  objects: ReadonlyMap<string, Buffer>,
  port: number,
  cpu: number,
): Promise<Varnish> {
  const o = origin(objects);
  const originPort = await listen(o.server);
  const dir = mkdtempSync(join(tmpdir(), 'bench-varnish-'));
  // varnishd drops its privileges before it reads the VCL.
  chmodSync(dir, 0o755);
  const vcl = join(dir, 'bench.vcl');
  writeFileSync(
    vcl,
    [
      'vcl 4.1;',
      `backend origin { .host = "127.0.0.1"; .port = "${originPort}"; }`,
      'sub vcl_backend_response { set beresp.ttl = 1h; }',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const proc: Started = start(
    'varnishd',
    ['-F', '-a', `127.0.0.1:${port}`, '-f', vcl, '-s', 'malloc,256m', '-n', join(dir, 'n')],
    { cpu },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ok = await fetch(`${url}/files/${[...objects.keys()][0] ?? ''}`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`varnishd did not start:\n${proc.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: proc.proc.pid ?? 0,
    originRequests: o.count,
    async stop() {
      await proc.stop();
      o.server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** HAProxy for the comparison rows: a generated config (roundrobin, http-reuse always, 1 thread). */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Started, start } from './procs.ts';

export const HAPROXY = '/usr/sbin/haproxy';

export interface HaproxyOptions {
  readonly dir: string;
  readonly host: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  /** PEM with certificate and key, for the TLS frontend. */
  readonly pem: string;
  readonly backends: readonly string[];
  readonly cpu?: number;
}

export function haproxyConfig(o: HaproxyOptions): string {
  return `global
  nbthread 1
  maxconn 4000
  tune.ssl.default-dh-param 2048
  ssl-default-bind-options ssl-min-ver TLSv1.2

defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout http-request 10s
  timeout http-keep-alive 5s
  option http-keep-alive

frontend plain
  bind ${o.host}:${o.httpPort}
  default_backend web

frontend tls
  bind ${o.host}:${o.httpsPort} ssl crt ${o.pem} alpn http/1.1
  default_backend web

backend web
  balance roundrobin
  http-reuse always
${o.backends.map((b, i) => `  server s${i + 1} ${b}`).join('\n')}
`;
}

/** Installs Debian's haproxy package when the binary is missing (needs root, as on the project's machines). */
export function ensureHaproxy(): void {
  if (existsSync(HAPROXY)) return;
  process.stdout.write('haproxy is missing: installing it with apt-get\n');
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'haproxy'], {
    stdio: 'inherit',
  });
}

export async function startHaproxy(o: HaproxyOptions): Promise<Started> {
  ensureHaproxy();
  const file = join(o.dir, 'haproxy.cfg');
  writeFileSync(file, haproxyConfig(o));
  const p = start(HAPROXY, ['-db', '-f', file], o.cpu === undefined ? {} : { cpu: o.cpu });
  // -db stays in the foreground; wait until it accepts connections.
  const { connect } = await import('node:net');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(o.httpPort, o.host, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return p;
    if (Date.now() > deadline) throw new Error(`haproxy did not start:\n${p.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

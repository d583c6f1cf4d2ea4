/** What every benchmark part needs: free ports, a certificate, backends, our LB, HAProxy. */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  devCertificateFiles,
  ensureDevCertificate,
} from '../../services/shared/tls/dev-certificate.ts';
import { startHaproxy } from './haproxy.ts';
import { node, type Started } from './procs.ts';

export const HOST = '127.0.0.200';
export const LOADGEN_CPU = 0;
export const PROXY_CPU = 1;

export function freePort(host: string): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Certificate {
  readonly cert: string;
  readonly key: string;
  /** Certificate and key in one file, as HAProxy wants it. */
  readonly pem: string;
}

export function makeCertificate(dir: string): Certificate {
  ensureDevCertificate(dir, [HOST]);
  const { certFile, keyFile } = devCertificateFiles(dir);
  const pem = join(dir, 'haproxy.pem');
  writeFileSync(pem, Buffer.concat([readFileSync(certFile), readFileSync(keyFile)]));
  return { cert: certFile, key: keyFile, pem };
}

/** Trivial backends on 127.0.0.<first>, <first+1>, ...; returns the processes and their addresses. */
export async function startBackends(
  count: number,
  first: number,
  record: boolean,
): Promise<{ procs: Started[]; addresses: string[] }> {
  const hosts = Array.from({ length: count }, (_, i) => `127.0.0.${first + i}`);
  const procs = hosts.map((h, i) =>
    node('backend', [h, '0', `bench-${i + 1}`, record ? 'record' : 'no']),
  );
  const addresses = await Promise.all(
    procs.map(
      async (p, i) => `${hosts[i]}:${(await p.waitFor((l) => l.startsWith('READY '))).slice(6)}`,
    ),
  );
  return { procs, addresses };
}

export interface RunningProxy {
  readonly proc: Started;
  readonly http: string;
  readonly https: string;
  readonly metrics: string | null;
}

export async function startOurLb(o: {
  engine: string;
  tls: boolean;
  workers: number;
  backends: readonly string[];
  dir: string;
  cert: Certificate;
}): Promise<RunningProxy> {
  const [http, https, admin] = [await freePort(HOST), await freePort(HOST), await freePort(HOST)];
  const proc = node('../../services/lb/server', [], {
    ...(o.workers === 1 ? { cpu: PROXY_CPU } : {}),
    env: {
      LB_HOST: HOST,
      LB_HTTP_PORT: String(http),
      LB_HTTPS_PORT: String(https),
      LB_ADMIN_PORT: String(admin),
      LB_DATA_DIR: o.dir,
      LB_TLS: o.tls ? 'on' : 'off',
      LB_TLS_CERT_FILE: o.cert.cert,
      LB_TLS_KEY_FILE: o.cert.key,
      LB_POOLS: `web=${o.backends.join(',')}`,
      LB_ENGINE: o.engine,
      LB_WORKERS: String(o.workers),
      STICKY: 'cookie',
      LB_STICKY_SECRET: 'benchmark-secret-0123456789abcdef',
      LB_ALGORITHM: 'round-robin',
      LB_ACCESS_LOG: 'off',
      LB_LOG_LEVEL: 'info',
    },
  });
  await proc.waitFor((l) => l.includes('"lb listening"'));
  return {
    proc,
    http: `http://${HOST}:${http}/`,
    https: `https://${HOST}:${https}/`,
    metrics: `http://${HOST}:${admin}/metrics`,
  };
}

export async function startHaproxyProxy(
  dir: string,
  cert: Certificate,
  backends: readonly string[],
  pinned: boolean,
): Promise<RunningProxy> {
  const [http, https] = [await freePort(HOST), await freePort(HOST)];
  const proc = await startHaproxy({
    dir,
    host: HOST,
    httpPort: http,
    httpsPort: https,
    pem: cert.pem,
    backends,
    ...(pinned ? { cpu: PROXY_CPU } : {}),
  });
  return {
    proc,
    http: `http://${HOST}:${http}/`,
    https: `https://${HOST}:${https}/`,
    metrics: null,
  };
}

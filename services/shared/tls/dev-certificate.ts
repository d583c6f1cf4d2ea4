/**
 * The stack's self-signed development certificate: made once with the openssl CLI (an ECDSA P-256
 * key, 825 days) for localhost, 127.0.0.1, ::1 and the given hosts, and kept in a data directory
 * as `dev-cert.pem` / `dev-key.pem`. A certificate found there that does not name every wanted
 * host (made before a service was added) is made again. The LB makes its own this way; natively
 * the runner makes one for the LB and the CDN edge together, so one certificate covers both.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Where the certificate came from, for the startup log. */
  readonly source: string;
}

/** A wildcard bind address names no host a client would use. */
const named = (host: string) => host !== '' && host !== '0.0.0.0' && host !== '::';

/** The subjectAltName entries, in openssl's `-addext` syntax. Pure. */
export function subjectAltNames(hosts: readonly string[]): string[] {
  const names = new Set(['DNS:localhost', 'IP:127.0.0.1', 'IP:::1']);
  for (const host of hosts.filter(named)) names.add(`${isIP(host) === 0 ? 'DNS' : 'IP'}:${host}`);
  return [...names];
}

/** Whether a PEM certificate names every given host (as DNS name or IP address). */
export function namesHosts(certPem: Buffer | string, hosts: readonly string[]): boolean {
  const cert = new X509Certificate(certPem);
  return hosts
    .filter(named)
    .every((host) =>
      isIP(host) === 0 ? cert.checkHost(host) !== undefined : cert.checkIP(host) !== undefined,
    );
}

/** Where the development certificate and its key live in a data directory. */
export function devCertificateFiles(dataDir: string): { certFile: string; keyFile: string } {
  return { certFile: join(dataDir, 'dev-cert.pem'), keyFile: join(dataDir, 'dev-key.pem') };
}

/** Makes the certificate unless one naming every host is already there. Returns whether it made one. */
export function ensureDevCertificate(dataDir: string, hosts: readonly string[]): boolean {
  const { certFile, keyFile } = devCertificateFiles(dataDir);
  if (existsSync(certFile) && existsSync(keyFile) && namesHosts(readFileSync(certFile), hosts))
    return false;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '825',
      '-subj',
      '/CN=localhost',
      '-addext',
      `subjectAltName=${subjectAltNames(hosts).join(',')}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore', timeout: 30_000 },
  );
  return true;
}

/** The certificate and key from the given files, or the development one made in `dataDir`. */
export function loadTlsMaterial(
  files: { certFile?: string | undefined; keyFile?: string | undefined },
  dataDir: string,
  host: string,
  onMade: (certFile: string) => void,
): TlsMaterial {
  if (files.certFile !== undefined && files.keyFile !== undefined)
    return {
      cert: readFileSync(files.certFile),
      key: readFileSync(files.keyFile),
      source: files.certFile,
    };
  const { certFile, keyFile } = devCertificateFiles(dataDir);
  if (ensureDevCertificate(dataDir, [host])) onMade(certFile);
  return { cert: readFileSync(certFile), key: readFileSync(keyFile), source: certFile };
}

/**
 * TLS material and settings: TLS 1.2 and 1.3 only, AEAD ciphers only. The certificate and key come from
 * LB_TLS_CERT_FILE / LB_TLS_KEY_FILE, or, when none is given, a self-signed development
 * certificate for localhost is generated once (with the openssl CLI) and kept in LB_DATA_DIR.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import type { Logger } from '../../shared/logger.ts';
import type { LbConfig } from '../config/types.ts';

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Where the certificate came from, for the startup log. */
  readonly source: string;
}

function subjectAltNames(host: string): string {
  const names = new Set(['DNS:localhost', 'IP:127.0.0.1', 'IP:::1']);
  if (isIP(host) !== 0 && host !== '0.0.0.0' && host !== '::') names.add(`IP:${host}`);
  else if (isIP(host) === 0) names.add(`DNS:${host}`);
  return [...names].join(',');
}

/** Where the development certificate and its key live in a data directory. */
export function devCertificateFiles(dataDir: string): { certFile: string; keyFile: string } {
  return { certFile: join(dataDir, 'dev-cert.pem'), keyFile: join(dataDir, 'dev-key.pem') };
}

export function ensureDevCertificate(dataDir: string, host: string, log: Logger): TlsMaterial {
  const { certFile, keyFile } = devCertificateFiles(dataDir);
  if (!existsSync(certFile) || !existsSync(keyFile)) {
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
        `subjectAltName=${subjectAltNames(host)}`,
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
    log.info({ certFile }, 'generated a self-signed development certificate');
  }
  return { cert: readFileSync(certFile), key: readFileSync(keyFile), source: certFile };
}

export function loadTlsMaterial(config: LbConfig, log: Logger): TlsMaterial {
  if (config.tlsCertFile !== undefined && config.tlsKeyFile !== undefined) {
    return {
      cert: readFileSync(config.tlsCertFile),
      key: readFileSync(config.tlsKeyFile),
      source: config.tlsCertFile,
    };
  }
  return ensureDevCertificate(config.dataDir, config.host, log);
}

/**
 * Mozilla's "intermediate" settings by default (LB_TLS_CIPHERS, LB_TLS_ECDH_CURVE): TLS 1.2 with
 * AEAD ciphers only (no CBC, so no LUCKY13) and TLS 1.3; every offered cipher is strong, so the
 * client's preference decides, as the profile recommends.
 */
export function tlsOptions(
  material: TlsMaterial,
  settings: LbConfig['tlsSettings'],
): TlsOptions & SecureContextOptions {
  return {
    cert: material.cert,
    key: material.key,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ciphers: settings.ciphers,
    ecdhCurve: settings.ecdhCurve,
    honorCipherOrder: false,
    ALPNProtocols: ['http/1.1'],
  };
}

/**
 * TLS settings for the stack's HTTPS listeners (the LB, the CDN edge): TLS 1.2 and 1.3 only, AEAD
 * ciphers only — Mozilla's "intermediate" profile (v5.7): no CBC, so no LUCKY13. Every offered
 * cipher is strong, so the client's preference decides, as the profile recommends.
 */
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import type { TlsMaterial } from './dev-certificate.ts';

export const INTERMEDIATE_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-CHACHA20-POLY1305',
].join(':');

export const DEFAULT_ECDH_CURVES = 'X25519:prime256v1:secp384r1';

export interface TlsSettings {
  readonly ciphers: string;
  readonly ecdhCurve: string;
}

export const INTERMEDIATE: TlsSettings = {
  ciphers: INTERMEDIATE_CIPHERS,
  ecdhCurve: DEFAULT_ECDH_CURVES,
};

export function tlsOptions(
  material: TlsMaterial,
  settings: TlsSettings = INTERMEDIATE,
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

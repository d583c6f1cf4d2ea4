/**
 * The LB's TLS material and settings. The certificate and key come from LB_TLS_CERT_FILE /
 * LB_TLS_KEY_FILE, or, when none is given, the self-signed development certificate kept in
 * LB_DATA_DIR (made once; natively the runner makes it beforehand for the LB and the CDN edge).
 * TLS 1.2/1.3 and AEAD ciphers only (services/shared/tls).
 */
import type { Logger } from '../../shared/logger.ts';
import {
  loadTlsMaterial as loadMaterial,
  type TlsMaterial,
} from '../../shared/tls/dev-certificate.ts';
import type { LbConfig } from '../config/types.ts';

export type { TlsMaterial };

export function loadTlsMaterial(config: LbConfig, log: Logger): TlsMaterial {
  return loadMaterial(
    { certFile: config.tlsCertFile, keyFile: config.tlsKeyFile },
    config.dataDir,
    config.host,
    (certFile) => log.info({ certFile }, 'generated a self-signed development certificate'),
  );
}

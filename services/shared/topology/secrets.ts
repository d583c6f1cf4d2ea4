/** Which secrets each kind of service reads, and where the files are in each mode. */
import type { ServiceKind } from './addresses.ts';
import type { SecretName } from './constants.ts';
import type { Addressing } from './plan.ts';

export function secretsOf(kind: ServiceKind): SecretName[] {
  switch (kind) {
    case 'mysql-primary':
    case 'mysql-replica':
    case 'mysql-shard':
    case 'mysql-shard-replica':
    case 'mysql-function':
    case 'mysql-function-replica':
      return ['mysql-root-password', 'mysql-password', 'mysql-replication-password'];
    case 'setup':
      return [
        'mysql-root-password',
        'mysql-password',
        'mysql-replication-password',
        's3-secret-access-key',
      ];
    case 's3':
      return ['s3-secret-access-key'];
    case 'web':
      return ['mysql-password', 's3-secret-access-key', 'web-cookie-secret', 'cdn-purge-token'];
    case 'worker':
      return ['mysql-password', 's3-secret-access-key'];
    case 'lb':
      return ['lb-sticky-secret'];
    case 'cdn':
      return ['s3-secret-access-key', 'cdn-purge-token'];
    case 'db-monitor':
      return ['mysql-root-password', 'mysql-replication-password'];
    default:
      return [];
  }
}

export function secretFile(a: Addressing, name: SecretName): string {
  return a.mode === 'native' ? `${a.stackDir}/secrets/${name}` : `/run/secrets/${name}`;
}

/**
 * The unsharded MariaDB tier of a running native stack (its primary and replicas, from stack.json)
 * with the accounts a promotion needs, for `make promote` and the failover benchmark.
 */
import { readFileSync } from 'node:fs';
import type { DbTier } from '../../services/shared/db/promotion/promote.ts';
import type { StackFile } from './stack-file.ts';

export function dbTierOf(stack: StackFile): DbTier {
  if (stack.flags.DB_TOPOLOGY === 'master-master')
    throw new Error(
      "DB_TOPOLOGY=master-master has no single primary to promote or rejoin: both masters are writable, and the web servers move a dead master's users to the other one (README, master-master)",
    );
  const secret = (name: 'mysql-root-password' | 'mysql-replication-password') =>
    readFileSync(stack.secrets[name], 'utf8').trim();
  return {
    servers: stack.services
      .filter((s) => s.kind === 'mysql-primary' || s.kind === 'mysql-replica')
      .map((s) => ({
        name: s.name,
        host: s.host,
        port: s.ports.mysql ?? 0,
        serverId: s.serverId ?? 0,
      })),
    rootUser: stack.mysql.rootUser,
    rootPassword: secret('mysql-root-password'),
    replicationUser: stack.mysql.replicationUser,
    replicationPassword: secret('mysql-replication-password'),
  };
}

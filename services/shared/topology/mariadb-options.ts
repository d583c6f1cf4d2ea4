/**
 * MariaDB server options that follow a stage flag, in one place for both ways of running the stack.
 * Natively the runner adds them to mariadbd's command line with the flag's value; docker-compose.yml
 * writes the same options with the flag interpolated (`--query-cache-type=${DB_QUERY_CACHE:-off}`),
 * and a test checks the two agree. Pure.
 *
 * Every option here takes the flag's value verbatim (MariaDB reads `on`/`off` for its enums and
 * booleans), so one flag value means the same thing to the runner, compose and the server.
 */
import type { Flags } from '../config/flags.ts';
import { MARIADB_KINDS, type ServiceKind } from './addresses.ts';

export interface FlagOption {
  /** mariadbd's long option, without `--`. */
  readonly option: string;
  /** The stage flag's environment variable. */
  readonly variable: string;
  /** The flag's value when nothing sets it (compose's `${VAR:-default}`). */
  readonly fallback: string;
  readonly value: (flags: Flags) => string;
  /** Which servers get it. */
  readonly on: readonly ServiceKind[];
}

/**
 * DB_QUERY_CACHE: every server gets the cache, because every one serves reads at some point: the
 * replicas always, the primary with READ_FROM=primary or when the replicas are down, and any replica
 * after a promotion. Its size is in infra/mariadb/*.cnf.
 */
export const MARIADB_FLAG_OPTIONS: readonly FlagOption[] = [
  {
    option: 'query-cache-type',
    variable: 'DB_QUERY_CACHE',
    fallback: 'off',
    value: (f) => f.dbQueryCache,
    on: MARIADB_KINDS,
  },
  // DB_SEMISYNC: both sides on the primary and the replicas, since any replica can be promoted and
  // the old primary can rejoin as a replica. The wait point (AFTER_SYNC) and the timeout after
  // which the primary falls back to asynchronous replication are in infra/mariadb/*.cnf.
  {
    option: 'rpl-semi-sync-master-enabled',
    variable: 'DB_SEMISYNC',
    fallback: 'off',
    value: (f) => f.dbSemisync,
    on: ['mysql-primary', 'mysql-replica'],
  },
  {
    option: 'rpl-semi-sync-slave-enabled',
    variable: 'DB_SEMISYNC',
    fallback: 'off',
    value: (f) => f.dbSemisync,
    on: ['mysql-primary', 'mysql-replica'],
  },
];

/**
 * The query cache's size with DB_QUERY_CACHE=on. MariaDB 10.11 switches the cache ON whenever a
 * non-zero size is given at start-up, even with query_cache_type=OFF, so the size is never in the
 * shared config files: natively it is on the command line only with the flag on; in compose (a
 * static file) the setup service sets it at run time (services/setup/query-cache.ts).
 */
export const QUERY_CACHE_BYTES = 32 * 1024 * 1024;

/** The options for one native server of `kind` under `flags`. */
export function nativeMariadbOptions(flags: Flags, kind: ServiceKind): string[] {
  const options = MARIADB_FLAG_OPTIONS.filter((o) => o.on.includes(kind)).map(
    (o) => `--${o.option}=${o.value(flags)}`,
  );
  const database =
    kind === 'mysql-primary' ||
    kind === 'mysql-replica' ||
    kind === 'mysql-shard' ||
    kind === 'mysql-shard-replica' ||
    kind === 'mysql-function' ||
    kind === 'mysql-function-replica';
  if (database && flags.dbQueryCache === 'on')
    options.push(`--query-cache-size=${QUERY_CACHE_BYTES}`);
  return options;
}

/** The same options as docker-compose.yml writes them for a server of `kind`. */
export function composeMariadbOptions(kind: ServiceKind): string[] {
  return MARIADB_FLAG_OPTIONS.filter((o) => o.on.includes(kind)).map(
    (o) => `--${o.option}=\${${o.variable}:-${o.fallback}}`,
  );
}

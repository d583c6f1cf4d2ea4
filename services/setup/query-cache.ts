/**
 * DB_QUERY_CACHE=on: every MariaDB server's query cache gets its size (QUERY_CACHE_BYTES). Natively
 * the runner already starts the servers with it; in compose the size cannot be in the static
 * command line (MariaDB turns the cache on whenever a size is given at start-up), so this sets it
 * at run time. Pure: the observed size in, the statements out; nothing when it is right or off.
 */
import { QUERY_CACHE_BYTES } from '../shared/topology/mariadb-options.ts';
import { type Statement, statement } from './statement.ts';

export function planQueryCache(flag: 'off' | 'on', sizeBytes: number): Statement[] {
  if (flag === 'off' || sizeBytes === QUERY_CACHE_BYTES) return [];
  return [
    statement(
      `size the query cache (${QUERY_CACHE_BYTES} bytes)`,
      'SET GLOBAL query_cache_size = ?',
      [QUERY_CACHE_BYTES],
    ),
  ];
}

/**
 * Finds the server binaries the native stack runs. They live in /usr/sbin on Debian, which is not
 * on an ordinary user's PATH, so the sbin folders are searched too.
 */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { Binaries } from '../plan/launch-spec.ts';

export class MissingBinaryError extends Error {
  readonly code = 'STACK_ERR_MISSING_BINARY';
}

const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

export function findBinary(name: string, path: string): string | undefined {
  const dirs = [...path.split(':').filter((d) => d !== ''), ...SBIN];
  for (const dir of dirs) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Resolves the binaries `kinds` need; throws one error naming everything missing. */
export function findBinaries(path: string, needed: ReadonlySet<keyof Binaries>): Binaries {
  const names: Record<keyof Binaries, string> = {
    mariadbd: 'mariadbd',
    mariadbInstallDb: 'mariadb-install-db',
    redisServer: 'redis-server',
    memcached: 'memcached',
  };
  const found: Partial<Record<keyof Binaries, string>> = {};
  const missing: string[] = [];
  for (const key of Object.keys(names) as (keyof Binaries)[]) {
    const file = findBinary(names[key], path);
    if (file !== undefined) found[key] = file;
    else if (needed.has(key)) missing.push(names[key]);
  }
  if (missing.length > 0)
    throw new MissingBinaryError(
      `not installed: ${missing.join(', ')}. Run \`make deps\` (scripts/install-deps.sh) to install them.`,
    );
  return {
    mariadbd: found.mariadbd ?? 'mariadbd',
    mariadbInstallDb: found.mariadbInstallDb ?? 'mariadb-install-db',
    redisServer: found.redisServer ?? 'redis-server',
    memcached: found.memcached ?? 'memcached',
  };
}

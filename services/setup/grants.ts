/**
 * Reading `SHOW GRANTS` output: does a user already hold a privilege on an object? Pure, so the
 * setup plan can decide to GRANT only what is missing (a re-run writes nothing to the binlog).
 */

export interface Grant {
  readonly privileges: readonly string[];
  /** The object as MariaDB prints it: `*.*` or `` `scaling\_lab%`.* ``. */
  readonly on: string;
}

const GRANT_LINE = /^GRANT (.+?) ON (\S+) TO /;

/** Parses one line of SHOW GRANTS; undefined for lines that are not privilege grants (roles, proxies). */
export function parseGrant(line: string): Grant | undefined {
  const match = GRANT_LINE.exec(line);
  if (match === null) return undefined;
  const [, privileges = '', on = ''] = match;
  if (privileges.startsWith('PROXY')) return undefined;
  return { privileges: privileges.split(',').map((p) => p.trim().toUpperCase()), on };
}

/** True when some grant line gives every privilege of `wanted` on the same object. */
export function holdsGrant(lines: readonly string[], wanted: Grant): boolean {
  return lines
    .map(parseGrant)
    .some(
      (g) =>
        g !== undefined &&
        g.on === wanted.on &&
        (g.privileges.includes('ALL PRIVILEGES') ||
          wanted.privileges.every((p) => g.privileges.includes(p))),
    );
}

/** The database-name pattern that covers `name` and every `name_*` database (tests make those). */
export function databasePattern(name: string): string {
  return `${name.replaceAll('_', '\\_')}%`;
}

/** How MariaDB prints `pattern.*` in SHOW GRANTS. */
export function grantObject(pattern: string): string {
  return `\`${pattern.replaceAll('`', '``')}\`.*`;
}

/**
 * The SQL MariaDB runs at every start of a native instance (`--init-file`): the root account for
 * TCP logins from loopback, with the stack's root password. Pure. Kept out of the binlog so the
 * replicas' GTID history only ever holds what the primary sent them.
 */

/** Natively every client connects over loopback. */
export const ROOT_HOST = '127.%';

export function rootInitSql(password: string): string {
  // The password is our own random hex (secrets.ts); anything else is refused rather than quoted.
  if (!/^[A-Za-z0-9]{16,128}$/.test(password))
    throw new Error('the MariaDB root password must be 16–128 letters or digits');
  const account = `'root'@'${ROOT_HOST}'`;
  return [
    'SET SESSION sql_log_bin = 0;',
    `CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY '${password}';`,
    `ALTER USER ${account} IDENTIFIED BY '${password}';`,
    `GRANT ALL PRIVILEGES ON *.* TO ${account} WITH GRANT OPTION;`,
    '',
  ].join('\n');
}

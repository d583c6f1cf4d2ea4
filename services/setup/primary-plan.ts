/**
 * What the setup service must do on the primary, decided from what it observed there. Pure: the
 * same state always gives the same statements, and a fully bootstrapped primary gives none, so a
 * re-run changes nothing (not even the binlog).
 */
import { databasePattern, type Grant, grantObject, holdsGrant } from './grants.ts';
import { type Statement, statement } from './statement.ts';

/** Accounts are reachable from any host: natively every instance is on loopback, in compose on the internal network. */
export const ACCOUNT_HOST = '%';

export interface AccountState {
  readonly exists: boolean;
  /** The stored password hash equals the hash of the configured password. */
  readonly passwordMatches: boolean;
  /** `SHOW GRANTS` lines (empty when the account does not exist). */
  readonly grants: readonly string[];
}

export interface PrimaryState {
  readonly databaseExists: boolean;
  readonly app: AccountState;
  readonly replication: AccountState;
}

export interface Account {
  readonly user: string;
  readonly password: string;
}

export interface PrimaryWants {
  readonly database: string;
  readonly app: Account;
  readonly replication: Account;
}

/** The grants each account needs. */
export function wantedGrants(wants: PrimaryWants): { app: Grant[]; replication: Grant[] } {
  return {
    app: [
      // The app's database and every `<database>_*` one (integration tests make scaling_lab_t_*).
      { privileges: ['ALL PRIVILEGES'], on: grantObject(databasePattern(wants.database)) },
      // SHOW SLAVE STATUS, so the app can steer reads away from a lagging replica.
      { privileges: ['SLAVE MONITOR'], on: '*.*' },
    ],
    replication: [{ privileges: ['REPLICATION SLAVE'], on: '*.*' }],
  };
}

function grantStatement(user: string, grant: Grant): Statement {
  const privileges = grant.privileges.join(', ');
  // Privilege names and the object come from wantedGrants (constants and a validated identifier).
  return statement(
    `grant ${privileges} on ${grant.on} to ${user}`,
    `GRANT ${privileges} ON ${grant.on} TO ?@?`,
    [user, ACCOUNT_HOST],
  );
}

function accountStatements(account: Account, state: AccountState, grants: Grant[]): Statement[] {
  const out: Statement[] = [];
  const who = [account.user, ACCOUNT_HOST, account.password] as const;
  if (!state.exists) {
    out.push(statement(`create user ${account.user}`, 'CREATE USER ?@? IDENTIFIED BY ?', who));
  } else if (!state.passwordMatches) {
    out.push(
      statement(`set the password of ${account.user}`, 'ALTER USER ?@? IDENTIFIED BY ?', who),
    );
  }
  for (const grant of grants) {
    if (!state.exists || !holdsGrant(state.grants, grant))
      out.push(grantStatement(account.user, grant));
  }
  return out;
}

/** The statements that bring the primary from `state` to what `wants` describes. */
export function planPrimary(state: PrimaryState, wants: PrimaryWants): Statement[] {
  const grants = wantedGrants(wants);
  const out: Statement[] = [];
  if (!state.databaseExists) {
    out.push(
      statement(
        `create database ${wants.database}`,
        'CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci',
        [wants.database],
      ),
    );
  }
  out.push(...accountStatements(wants.app, state.app, grants.app));
  out.push(...accountStatements(wants.replication, state.replication, grants.replication));
  return out;
}

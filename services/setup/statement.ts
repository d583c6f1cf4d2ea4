/**
 * One SQL statement of a bootstrap plan. Values travel as placeholders: `?` for values, `??` for
 * identifiers, filled in by the driver's escaping (mysql2 `query`), because CREATE USER, GRANT and
 * CHANGE MASTER cannot be server-side prepared with parameters. Nothing is concatenated from input.
 */
export interface Statement {
  readonly sql: string;
  readonly params: readonly (string | number)[];
  /** What the statement does, for the log (never includes a parameter: some are passwords). */
  readonly purpose: string;
}

export const statement = (
  purpose: string,
  sql: string,
  params: readonly (string | number)[] = [],
): Statement => ({ sql, params, purpose });

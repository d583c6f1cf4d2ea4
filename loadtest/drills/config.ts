/**
 * `make drill` settings, parsed once from the environment: NAME (one drill, or a comma list; all
 * when empty), LIST=1 (print the catalog), STACK_DIR (the running stack, as `make local` uses),
 * DRILL_USERS (concurrent users of the load), DRILL_SCALE (multiplies hold/observe times).
 */
import { isAbsolute, resolve } from 'node:path';
import {
  decimal,
  type Env,
  field,
  integer,
  list,
  oneOf,
  parseEnv,
  text,
} from '../../services/shared/config/env.ts';

const schema = {
  NAME: field(list(text(/^[a-z0-9-]+$/, 'drill names')), []),
  LIST: field(oneOf(['0', '1', 'false', 'true']), '0'),
  STACK_DIR: field(text(), '.stack'),
  DRILL_USERS: field(integer(1, 64), 6),
  DRILL_SCALE: field(decimal(0.1, 10), 1),
};

export interface DrillConfig {
  readonly names: readonly string[];
  readonly list: boolean;
  readonly stackFile: string;
  readonly users: number;
  readonly scale: number;
}

export function loadDrillConfig(env: Env, repoDir: string): DrillConfig {
  const c = parseEnv(env, schema);
  const stackDir = isAbsolute(c.STACK_DIR) ? c.STACK_DIR : resolve(repoDir, c.STACK_DIR);
  return Object.freeze({
    names: c.NAME,
    list: c.LIST === '1' || c.LIST === 'true',
    stackFile: resolve(stackDir, 'stack.json'),
    users: c.DRILL_USERS,
    scale: c.DRILL_SCALE,
  });
}

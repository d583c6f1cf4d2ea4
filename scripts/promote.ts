/**
 * `make promote`: the most advanced replica becomes the writer of the running native stack found
 * through its stack.json (STACK_FILE), without restarting anything (services/shared/db/promotion).
 */

import { defaultStackFile } from '../runner/host/paths.ts';
import { dbTierOf } from '../runner/stack/db-tier.ts';
import { readStackFile } from '../runner/stack/read-stack.ts';
import { ConfigError, field, parseEnv, text } from '../services/shared/config/env.ts';
import { promote } from '../services/shared/db/promotion/promote.ts';

const schema = { STACK_FILE: field(text(), defaultStackFile(process.env)) };

try {
  const env = parseEnv(process.env, schema);
  const stack = readStackFile(env.STACK_FILE);
  await promote(dbTierOf(stack), (line) => process.stdout.write(`promote: ${line}\n`));
} catch (error) {
  process.stderr.write(
    `promote: ${error instanceof ConfigError ? error.message : (error as Error).message}\n`,
  );
  process.exitCode = 1;
}

/**
 * `make promote`: the most advanced replica becomes the writer of the running native stack found
 * through its stack.json (STACK_FILE), without restarting anything (services/shared/db/promotion).
 */
import { readFileSync } from 'node:fs';
import { dbTierOf } from '../runner/stack/db-tier.ts';
import type { StackFile } from '../runner/stack/stack-file.ts';
import { ConfigError, field, parseEnv, text } from '../services/shared/config/env.ts';
import { promote } from '../services/shared/db/promotion/promote.ts';

const schema = { STACK_FILE: field(text(), '.stack/stack.json') };

try {
  const env = parseEnv(process.env, schema);
  const stack = JSON.parse(readFileSync(env.STACK_FILE, 'utf8')) as StackFile;
  await promote(dbTierOf(stack), (line) => process.stdout.write(`promote: ${line}\n`));
} catch (error) {
  process.stderr.write(
    `promote: ${error instanceof ConfigError ? error.message : (error as Error).message}\n`,
  );
  process.exitCode = 1;
}

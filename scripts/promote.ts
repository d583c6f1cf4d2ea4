/**
 * `make promote`: the most advanced replica becomes the writer of the running native stack found
 * through its stack.json (STACK_FILE), without restarting anything (promote/run.ts).
 */
import { ConfigError, field, parseEnv, text } from '../services/shared/config/env.ts';
import { promote } from './promote/run.ts';

const schema = { STACK_FILE: field(text(), '.stack/stack.json') };

try {
  const env = parseEnv(process.env, schema);
  await promote(env.STACK_FILE, (line) => process.stdout.write(`promote: ${line}\n`));
} catch (error) {
  process.stderr.write(
    `promote: ${error instanceof ConfigError ? error.message : (error as Error).message}\n`,
  );
  process.exitCode = 1;
}

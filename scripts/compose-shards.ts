/**
 * `make compose-shards SHARDS=N [DB_REPLICAS=R] [FEDERATION=on] [SHARD_SPARES=S] [OUT=file]`:
 * writes the Docker Compose override with the shard servers (and function servers) the native
 * runner would start for those flags at the default stage, from the same plan
 * (services/shared/topology/plan.ts). SHARDS=2 with the defaults rewrites the checked-in
 * docker-compose.shards.yml (unchanged unless the plan changed); other flags write
 * docker-compose.shards-<N>...yml. Prints the file's name. Exit 2: a bad flag (named).
 */
import { writeFileSync } from 'node:fs';
import { ConfigError, type Env } from '../services/shared/config/env.ts';
import { DEFAULT_STAGE, resolveFlags } from '../services/shared/config/flags.ts';
import { planStack } from '../services/shared/topology/plan.ts';
import {
  ComposeShardsError,
  outputFileFor,
  REQUEST_VARIABLES,
  renderComposeShards,
} from './compose-shards-render.ts';

function main(env: Env): void {
  const picked: Record<string, string> = { STAGE: String(DEFAULT_STAGE) };
  for (const v of REQUEST_VARIABLES) {
    const value = env[v];
    if (value !== undefined && value !== '') picked[v] = value;
  }
  const flags = resolveFlags(picked);
  if (flags.shards < 2)
    throw new ConfigError([`SHARDS is ${env.SHARDS ?? 'unset'}; expected 2 to 8`]);
  const defaults = resolveFlags({ STAGE: String(DEFAULT_STAGE) });
  const federation = flags.federation === 'on';
  const fileName =
    env.OUT && env.OUT !== ''
      ? env.OUT
      : outputFileFor(
          flags.shards,
          flags.dbReplicas,
          flags.shardSpares,
          federation,
          defaults.dbReplicas,
        );
  const text = renderComposeShards(planStack(flags, { mode: 'compose' }), {
    shards: flags.shards,
    dbReplicas: flags.dbReplicas,
    federation,
    fileName,
  });
  writeFileSync(fileName, text);
  console.log(fileName);
}

try {
  main(process.env);
} catch (error) {
  const known = error instanceof ConfigError || error instanceof ComposeShardsError;
  console.error(known ? `compose-shards: ${(error as Error).message}` : error);
  process.exitCode = known ? 2 : 1;
}

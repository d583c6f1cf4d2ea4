/**
 * What `up` checks and decides before it starts anything: the plan for the configuration (optional
 * external S3, a test's restriction), that the app entry points are built, which server binaries
 * are needed, and the flag warnings to print.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Flags, flagWarnings, presetGaps } from '../../services/shared/config/flags.ts';
import { isMariadb } from '../../services/shared/topology/addresses.ts';
import {
  type PlannedService,
  planStack,
  type StackPlan,
} from '../../services/shared/topology/plan.ts';
import type { Output } from '../logs/output.ts';
import type { RunnerConfig } from './config.ts';
import { type Binaries, ENTRY_POINTS } from './launch-spec.ts';
import { restrict } from './start-order.ts';

export class NotBuiltError extends Error {
  readonly code = 'STACK_ERR_NOT_BUILT';
}

/** The plan `up` starts: the configured flags, native addresses, optional external S3. */
export function planFor(config: RunnerConfig, portBase: number) {
  const external = config.externalS3;
  return planStack(
    config.flags,
    { mode: 'native', portBase, stackDir: config.stackDir },
    {
      faultProxy: config.faultProxy,
      ...(external
        ? {
            externalS3: {
              endpoint: external.endpoint,
              bucket: external.bucket,
              region: external.region,
              accessKeyId: external.accessKeyId,
            },
          }
        : {}),
    },
  );
}

export function restrictedPlan(
  plan: StackPlan,
  only: ((s: PlannedService) => boolean) | undefined,
): StackPlan {
  return only === undefined ? plan : { ...plan, services: restrict(plan.services, only) };
}

export function neededBinaries(plan: StackPlan): Set<keyof Binaries> {
  const kinds = new Set(plan.services.map((s) => s.kind));
  const needed = new Set<keyof Binaries>();
  if ([...kinds].some(isMariadb)) {
    needed.add('mariadbd');
    needed.add('mariadbInstallDb');
  }
  if (kinds.has('redis')) needed.add('redisServer');
  if (kinds.has('memcached')) needed.add('memcached');
  return needed;
}

export function checkBuilt(plan: StackPlan, repoDir: string): void {
  const scripts = new Set<string>();
  for (const s of plan.services) {
    if (s.kind in ENTRY_POINTS) scripts.add(ENTRY_POINTS[s.kind as keyof typeof ENTRY_POINTS]);
  }
  const missing = [...scripts].filter((script) => !existsSync(join(repoDir, script)));
  if (missing.length > 0)
    throw new NotBuiltError(
      `not built: ${missing.join(', ')}. Run \`npm run build\` (make build).`,
    );
}

export function reportFlags(flags: Flags, out: Output): void {
  for (const warning of flagWarnings(flags)) out.say('warn', warning);
  for (const gap of presetGaps(flags.stage))
    out.say('warn', `STAGE=${flags.stage} preset wants ${gap}; running without it`);
}

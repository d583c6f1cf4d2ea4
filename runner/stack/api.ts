/**
 * Starting and stopping native stacks from code (integration tests, tools): the same `up` and
 * `down` as the CLI, configured from an explicit environment, optionally on a port base found free
 * at that moment.
 */
import type { Env } from '../../services/shared/config/env.ts';
import type { PlannedService } from '../../services/shared/topology/plan.ts';
import { findFreePortBase, type PortBaseLease } from '../host/ports.ts';
import { findRepoDir } from '../host/repo-dir.ts';
import { createOutput } from '../logs/output.ts';
import { parseRunnerConfig } from '../plan/config.ts';
import { type DownResult, down } from './down.ts';
import { planFor, type RunningStack, up } from './up.ts';

export interface StartOptions {
  /** Flags, S3_*, PATH, ... as the CLI would read them (process.env is not read implicitly). */
  readonly env: Env;
  readonly stackDir: string;
  /** A fixed base, or `auto`: one where every port the plan needs is free, reserved until stop. */
  readonly portBase?: number | 'auto';
  readonly logs?: 'stream' | 'quiet';
  readonly write?: (text: string) => void;
  /** Tests only: start a part of the plan (see UpOptions.only). */
  readonly only?: (s: PlannedService) => boolean;
}

export interface StartedStack extends RunningStack {
  readonly portBase: number;
}

export async function startStack(options: StartOptions): Promise<StartedStack> {
  const repoDir = findRepoDir();
  const env = {
    ...options.env,
    STACK_DIR: options.stackDir,
    STACK_LOGS: options.logs ?? 'quiet',
  };
  let lease: PortBaseLease | undefined;
  let portEnv: Env = env;
  if (options.portBase === 'auto') {
    const probe = parseRunnerConfig(env, repoDir);
    lease = await findFreePortBase((base) => planFor(probe, base));
    portEnv = { ...env, STACK_PORT_BASE: String(lease.base) };
  } else if (options.portBase !== undefined) {
    portEnv = { ...env, STACK_PORT_BASE: String(options.portBase) };
  }
  const config = parseRunnerConfig(portEnv, repoDir);
  const out = createOutput({
    write: options.write ?? ((text) => process.stderr.write(text)),
    mode: config.logs,
  });
  try {
    const stack = await up({
      config,
      out,
      ...(options.only ? { only: options.only } : {}),
    });
    return {
      // stack.info changes as services restart: a getter, not a copy.
      get info() {
        return stack.info;
      },
      stackFile: stack.stackFile,
      plan: stack.plan,
      supervisor: stack.supervisor,
      quiet: () => stack.quiet(),
      onExit: (listener) => stack.onExit(listener),
      portBase: config.portBase,
      async stop(stopOptions) {
        try {
          await stack.stop(stopOptions);
        } finally {
          lease?.release();
        }
      },
    };
  } catch (error) {
    lease?.release();
    throw error;
  }
}

/** Stops whatever runs in `stackDir` (like `make down`). */
export async function stopStack(
  stackDir: string,
  options: { graceMs?: number; write?: (text: string) => void } = {},
): Promise<DownResult> {
  const out = createOutput({
    write: options.write ?? ((text) => process.stderr.write(text)),
    mode: 'quiet',
  });
  return down(stackDir, options.graceMs ?? 15_000, out);
}

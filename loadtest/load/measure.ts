/**
 * One measured load against a running stack: prepare (target, seed, reset), warm up, run the mode
 * while every component is sampled, and judge the bottleneck. `make load` prints it; `make bench`
 * runs it once per stack of its matrix.
 */

import { readStackFile } from '../../runner/stack/read-stack.ts';
import type { Progress } from '../run/run-load.ts';
import { sampleWhile } from '../sample/sampler.ts';
import type { Reading } from '../sample/snapshot.ts';
import type { Verdict } from '../sample/use.ts';
import type { LoadConfig } from './config.ts';
import { type ModeResult, runMode, warmUp } from './modes.ts';
import { prepare } from './prepare.ts';

export interface Measurement extends ModeResult {
  readonly config: LoadConfig;
  readonly target: string;
  readonly notes: readonly string[];
  readonly verdict: Verdict;
  readonly machineBusy: number;
  readonly busyScope: string;
  readonly samples: readonly Reading[];
}

export async function measure(
  config: LoadConfig,
  progress: (label: string) => Progress,
  say: (text: string) => void,
  seedEnv: Readonly<Record<string, string>> = {},
): Promise<Measurement> {
  const prepared = await prepare(config.STACK_FILE, config.SCENARIO, {
    reset: config.RESET === 'on',
    password: config.SEED_PASSWORD,
    seedEnv,
  });
  for (const note of prepared.notes) say(`load: ${note}`);
  say(`load: target ${prepared.target.origin}; warming up ${config.WARMUP} s`);
  await warmUp(config, prepared);
  const { value: result, sampling } = await sampleWhile(readStackFile(config.STACK_FILE), () =>
    runMode(config, prepared, progress),
  );
  return {
    config,
    target: prepared.target.origin,
    notes: prepared.notes,
    ...result,
    verdict: sampling.verdict(result.runs.every((r) => r.generator.trusted)),
    machineBusy: sampling.machineBusy,
    busyScope: sampling.busyScope,
    samples: sampling.readings,
  };
}

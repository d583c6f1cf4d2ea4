/**
 * `make load` settings, parsed once from the environment with every bad variable named. Every run
 * is bounded: DURATION for a fixed rate or capacity run, RAMP_MAX_STEPS × RAMP_STEP_SECONDS for a
 * ramp.
 */
import { availableParallelism } from 'node:os';
import { defaultStackFile } from '../../runner/host/paths.ts';
import {
  ConfigError,
  decimal,
  type Env,
  field,
  integer,
  oneOf,
  parseEnv,
  text,
} from '../../services/shared/config/env.ts';
import { SCENARIOS } from '../scenarios/scenario.ts';

export const MODES = ['rate', 'capacity', 'ramp'] as const;

const schema = {
  SCENARIO: field(oneOf(SCENARIOS), 'read-heavy'),
  MODE: field(oneOf(MODES), 'rate'),
  RATE: field(integer(1, 50_000), 200),
  DURATION: field(integer(2, 600), 20),
  CONNECTIONS: field(integer(1, 4096), 64),
  WORKERS: field(integer(1, 16), Math.max(1, Math.min(2, availableParallelism()))),
  WARMUP: field(integer(0, 60), 3),
  TIMEOUT_MS: field(integer(100, 60_000), 10_000),
  SLO_P99_MS: field(integer(1, 60_000), 500),
  SLO_ERROR_RATE: field(decimal(0, 1), 0.01),
  RAMP_START: field(integer(1, 50_000), 50),
  RAMP_FACTOR: field(decimal(1.05, 4), 1.5),
  RAMP_STEP_SECONDS: field(integer(2, 120), 6),
  RAMP_MAX_STEPS: field(integer(1, 30), 10),
  /** After the SLO broke: this many more steps halving the gap between the last rate that held and the one that broke. */
  RAMP_REFINE: field(integer(0, 5), 0),
  STACK_FILE: field(text(), defaultStackFile(process.env)),
  RESULTS_DIR: field(text(), 'loadtest/results'),
  SEED_PASSWORD: field(text(/^.{8,128}$/, '8 to 128 characters'), 'seed-password'),
  LOAD_SEED: field(integer(0, 2 ** 31), 7),
  RESET: field(oneOf(['on', 'off']), 'on'),
};

export type LoadConfig = ReturnType<typeof parseEnv<typeof schema>>;

export function parseLoadConfig(env: Env): LoadConfig {
  const config = parseEnv(env, schema);
  const problems: string[] = [];
  if (config.MODE === 'ramp' && config.RAMP_START * config.RAMP_FACTOR > 50_000)
    problems.push('RAMP_START × RAMP_FACTOR must stay under 50,000 req/s');
  if (config.MODE === 'rate' && config.RATE * config.DURATION > 5_000_000)
    problems.push(
      `RATE × DURATION is ${config.RATE * config.DURATION} requests: at most 5,000,000`,
    );
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The longest a run may offer load (what "bounded in time" means for this config). */
export const offeringSeconds = (c: LoadConfig): number =>
  c.MODE === 'ramp' ? (c.RAMP_MAX_STEPS + c.RAMP_REFINE) * c.RAMP_STEP_SECONDS : c.DURATION;

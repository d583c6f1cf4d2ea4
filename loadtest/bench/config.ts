/**
 * `make bench` settings, parsed once from the environment with every bad variable named. The
 * matrix's length is bounded: at most 40 stacks, each loaded for at most
 * (RAMP_MAX_STEPS + RAMP_REFINE) × STEP_SECONDS.
 */
import {
  ConfigError,
  decimal,
  type Env,
  field,
  integer,
  list,
  oneOf,
  parseEnv,
} from '../../services/shared/config/env.ts';
import { benchStackFields, portBaseProblem, rampFields } from '../core/ramp-config.ts';
import { SCENARIOS } from '../scenarios/scenario.ts';

export const GROUPS = ['stages', 'replicas', 'cache', 'reads'] as const;
export type Group = (typeof GROUPS)[number];

const schema = {
  SCENARIO: field(oneOf(SCENARIOS), 'read-heavy'),
  /** Which parts of the matrix to run (all by default). */
  BENCH_ONLY: field(list(oneOf(GROUPS)), GROUPS),
  BENCH_STAGES: field(list(integer(1, 6)), [1, 2, 3, 4]),
  /** Web boxes for the horizontal-scaling rows. */
  BENCH_WEB_REPLICAS: field(list(integer(1, 8)), [1, 2, 4]),
  REPEAT: field(integer(1, 3), 1),
  // RAMP_MAX_STEPS 12: 40 × 1.5^11 ≈ 3,500 req/s, above what two cores serve, so a ramp ends by
  // breaking the SLO. RAMP_REFINE 4: each refinement halves the gap between the rate that held and
  // the one that broke; 4 of them after a ×1.5 step leave about 3 % of uncertainty instead of 12 %.
  ...rampFields({ start: 40, maxSteps: 12, refineMax: 6, refine: 4 }),
  /** The benchmark profile: each box's CPU quota (see loadtest/README.md). */
  BENCH_BOX_CPUS: field(decimal(0.1, 64), 0.25),
  BENCH_DB_BOX_CPUS: field(decimal(0.1, 64), 0.5),
  BENCH_CACHE_BOX_CPUS: field(decimal(0.1, 64), 0.25),
  BENCH_LB_BOX_CPUS: field(decimal(0.05, 64), 0.5),
  /**
   * The database quota in the `cache` and `reads` groups, whose intended bottleneck is the
   * database (what a cache or a replica relieves): small, so it saturates before the app boxes.
   */
  BENCH_DATA_DB_BOX_CPUS: field(decimal(0.05, 64), 0.1),
  /** Seeded before every run (a fresh stack each time, so every run starts from the same data). */
  BENCH_SEED_USERS: field(integer(100, 100_000), 1000),
  BENCH_SEED_POSTS: field(integer(1000, 2_000_000), 20_000),
  ...benchStackFields(),
};

export type BenchConfig = ReturnType<typeof parseEnv<typeof schema>>;

export const MAX_RUNS = 40;

export function parseBenchConfig(env: Env): BenchConfig {
  const config = parseEnv(env, schema);
  const problems: string[] = [];
  if (config.BENCH_ONLY.length === 0)
    problems.push(`BENCH_ONLY: name at least one of ${GROUPS.join(', ')}`);
  const portBase = portBaseProblem(config.BENCH_PORT_BASE);
  if (portBase !== undefined) problems.push(portBase);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The longest one run offers load, in seconds. */
export const runSeconds = (c: BenchConfig): number =>
  c.WARMUP + (c.RAMP_MAX_STEPS + c.RAMP_REFINE) * c.STEP_SECONDS;

/**
 * The environment fields every ramping benchmark shares (`make bench`, `make bench-shards`): the
 * ramp, the SLO that ends it, the load generator, and where the stacks and results go. The ramp's
 * start, length and refinements differ per benchmark, so they are arguments; the rest has one
 * default. Parsed by each benchmark's own schema (services/shared/config/env.ts).
 */
import { decimal, field, integer, text } from '../../services/shared/config/env.ts';

export interface RampDefaults {
  /** RAMP_START's default (req/s). */
  readonly start: number;
  /** RAMP_MAX_STEPS's default. */
  readonly maxSteps: number;
  /** RAMP_REFINE's largest accepted value, and its default. */
  readonly refineMax: number;
  readonly refine: number;
}

/** STEP_SECONDS, RAMP_*, SLO_*, WORKERS, CONNECTIONS, WARMUP. */
export const rampFields = (d: RampDefaults) => ({
  STEP_SECONDS: field(integer(2, 60), 5),
  RAMP_START: field(integer(1, 50_000), d.start),
  RAMP_FACTOR: field(decimal(1.05, 4), 1.5),
  RAMP_MAX_STEPS: field(integer(1, 20), d.maxSteps),
  RAMP_REFINE: field(integer(0, d.refineMax), d.refine),
  SLO_P99_MS: field(integer(1, 60_000), 300),
  SLO_ERROR_RATE: field(decimal(0, 1), 0.01),
  WORKERS: field(integer(1, 8), 2),
  CONNECTIONS: field(integer(1, 4096), 128),
  WARMUP: field(integer(0, 30), 2),
});

/** BENCH_PORT_BASE and RESULTS_DIR. */
export const benchStackFields = () => ({
  /** `auto`: a free port base per stack; or a fixed base under 10000. */
  BENCH_PORT_BASE: field(text(/^(auto|\d{4})$/, 'auto or a 4-digit port base'), 'auto'),
  RESULTS_DIR: field(text(), 'loadtest/results'),
});

/** The problem with a fixed BENCH_PORT_BASE, if any: it must miss the machine's MariaDB and Redis. */
export function portBaseProblem(portBase: string): string | undefined {
  if (portBase === 'auto') return undefined;
  const base = Number(portBase);
  if (base + 306 === 3306 || base + 379 === 6379)
    return `BENCH_PORT_BASE=${base} collides with the machine's MariaDB or Redis`;
  return undefined;
}

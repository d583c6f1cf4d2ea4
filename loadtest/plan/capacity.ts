/**
 * Per-box capacities out of a make-bench row: for each tier of the measured stack (web, read-API,
 * write-API, primary, replicas, cache, LB), how many requests of the scenario's mix per second one
 * box of that tier would serve before its CPU quota is full, from the CPU the tier used per request
 * over the ramp (USE utilisation, extrapolated linearly to 100 %). Each figure keeps its source.
 * Pure.
 */
import type { BenchRow } from '../bench/row.ts';

export const TIERS = [
  'web',
  'read-api',
  'write-api',
  'mysql-primary',
  'mysql-replica',
  'memcached',
  'redis',
  'lb',
] as const;
export type Tier = (typeof TIERS)[number];

export interface TierCapacity {
  readonly tier: Tier;
  /** Boxes of this tier in the measured stack. */
  readonly boxes: number;
  /** The quota of one box (CPUs). */
  readonly boxCpus: number;
  /** The tier's CPU over the ramp (all its boxes), in cores. */
  readonly cores: number;
  /** Requests of the mix per second over the ramp (the whole stack's). */
  readonly meanRps: number;
  /** Requests of the mix per second one box of the tier serves at 100 % of its quota. */
  readonly perBoxRps: number;
  /** Where it comes from, in words. */
  readonly source: string;
}

export const tierOf = (component: string): Tier | undefined => {
  const base = component.replace(/-\d+$/, '');
  return (TIERS as readonly string[]).includes(base) ? (base as Tier) : undefined;
};

function quotaOf(tier: Tier, flags: Readonly<Record<string, string>>): number | undefined {
  const value = (name: string) => (flags[name] === undefined ? undefined : Number(flags[name]));
  if (tier === 'web' || tier === 'read-api' || tier === 'write-api') return value('BOX_CPUS');
  if (tier === 'mysql-primary' || tier === 'mysql-replica') return value('DB_BOX_CPUS');
  if (tier === 'memcached' || tier === 'redis') return value('CACHE_BOX_CPUS');
  return value('LB_BOX_CPUS');
}

/** The tiers of one row. At stage 1 the database shares the web box: not a tier of its own. */
export function tierCapacities(row: BenchRow, run: string): TierCapacity[] {
  const meanRps =
    row.seconds.length === 0 ? 0 : row.seconds.reduce((a, s) => a + s.rps, 0) / row.seconds.length;
  const shared = row.flags.STAGE === '1';
  const out: TierCapacity[] = [];
  for (const tier of TIERS) {
    // At stage 1 the database's CPU is the web box's too.
    const members = Object.entries(row.cpu).filter(
      ([name]) => tierOf(name) === tier || (shared && tier === 'web' && name === 'mysql-primary'),
    );
    if (members.length === 0 || (shared && tier === 'mysql-primary')) continue;
    const quota = quotaOf(tier, row.flags);
    const cores = members.reduce((a, [, c]) => a + c.mean, 0);
    if (quota === undefined || quota <= 0 || cores <= 0 || meanRps <= 0) continue;
    const perBoxRps = (meanRps * quota) / cores;
    const boxes = members.filter(([name]) => tierOf(name) === tier).length;
    out.push({
      tier,
      boxes,
      boxCpus: quota,
      cores,
      meanRps,
      perBoxRps,
      source: `${run} ${row.id} #${row.repeat}: ${boxes} × ${quota}-CPU ${tier} box${boxes > 1 ? 'es' : ''}${shared && tier === 'web' ? ' (with the database on it)' : ''} used ${cores.toFixed(3)} cores at ${meanRps.toFixed(0)} req/s (mean over the ramp)${row.generator.limited ? '; generator-limited row' : ''}${row.machineSaturated ? '; the machine was saturated' : ''}`,
    });
  }
  return out;
}

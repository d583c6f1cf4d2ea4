/**
 * The capacity plan: for each measured stage, the boxes of each tier the notes' peak would need
 * (ceil(peak req/s ÷ one box's req/s), from capacity.ts), whether the stage can have that many
 * (stages 1 and 2 have one box per tier; from stage 3 the app tiers, replicas, cache and LBs scale
 * out, but there is one primary and one session store), and up to how many users it holds. Pure.
 */
import type { BenchRow } from '../bench/row.ts';
import { type Tier, type TierCapacity, tierCapacities } from './capacity.ts';
import { type Demand, demandOf, type Workload } from './notes.ts';

export interface TierPlan extends TierCapacity {
  readonly needed: number;
  /** The most boxes the stage can have of this tier (null: as many as needed). */
  readonly limit: number | null;
}

export interface StagePlan {
  readonly stage: number;
  readonly row: string;
  readonly measuredRps: number;
  readonly bottleneck: string | null;
  readonly tiers: readonly TierPlan[];
  readonly enough: boolean;
  /** Why not, per tier over its limit. */
  readonly short: readonly string[];
  /** Users the stage holds at this peak factor (the first tier at its limit decides). */
  readonly maxUsers: number | null;
}

export interface CapacityPlan {
  readonly workload: Workload;
  readonly demand: Demand;
  readonly stages: readonly StagePlan[];
  /** The lowest measured stage that is enough for the peak (null: none is). */
  readonly firstEnough: number | null;
  readonly notes: readonly string[];
}

const ONE_BOX: readonly Tier[] = ['mysql-primary', 'redis'];

const WHY: Readonly<Partial<Record<Tier, string>>> = {
  'mysql-primary': 'one primary takes every write (and every read it serves): federate or shard',
  redis: 'one session store: a bigger box or a Redis cluster',
};

function limitOf(stage: number, tier: Tier): number | null {
  if (stage <= 2) return 1;
  return ONE_BOX.includes(tier) ? 1 : null;
}

export function planStage(row: BenchRow, run: string, w: Workload, d: Demand): StagePlan {
  const stage = Number(row.flags.STAGE);
  const tiers = tierCapacities(row, run).map((t) => ({
    ...t,
    needed: Math.ceil(d.peakRequestsPerSecond / t.perBoxRps),
    limit: limitOf(stage, t.tier),
  }));
  const bounded = tiers.filter((t) => t.limit !== null);
  const short = bounded
    .filter((t) => t.needed > (t.limit ?? Number.POSITIVE_INFINITY))
    .map(
      (t) =>
        `${t.tier} needs ${t.needed} boxes, the stage has ${t.limit}${WHY[t.tier] ? `: ${WHY[t.tier]}` : ''}`,
    );
  const holds = bounded.map((t) => (t.limit ?? 1) * t.perBoxRps);
  const maxRps = holds.length === 0 ? null : Math.min(...holds);
  return {
    stage,
    row: `${row.id} #${row.repeat}`,
    measuredRps: row.capacityRps,
    bottleneck: row.bottleneck?.component ?? null,
    tiers,
    enough: tiers.length > 0 && short.length === 0,
    short: tiers.length === 0 ? ['no CPU was measured for this row'] : short,
    maxUsers: maxRps === null ? null : Math.floor((w.users * maxRps) / d.peakRequestsPerSecond),
  };
}

/** The stage rows to plan from: the first measured repeat of each stage that did not fail. */
export function stageRows(rows: readonly BenchRow[]): BenchRow[] {
  const out = new Map<string, BenchRow>();
  for (const r of [...rows].sort((a, b) => a.repeat - b.repeat))
    if (r.group === 'stages' && r.error === undefined && !out.has(r.id)) out.set(r.id, r);
  return [...out.values()].sort((a, b) => Number(a.flags.STAGE) - Number(b.flags.STAGE));
}

export function capacityPlan(
  rows: readonly BenchRow[],
  run: string,
  scenario: string,
  w: Workload,
): CapacityPlan {
  const d = demandOf(w);
  const stages = stageRows(rows).map((r) => planStage(r, run, w, d));
  const notes: string[] = [];
  if (scenario !== 'read-heavy')
    notes.push(
      `the bench ran ${scenario}, not read-heavy (the notes' 100:1 mix): per-box figures are for that mix`,
    );
  if (stages.length === 0) notes.push('the summary has no measured stage rows (BENCH_ONLY=stages)');
  if (stages.some((s) => s.tiers.some((t) => /generator-limited|saturated/.test(t.source))))
    notes.push(
      'some rows were generator-limited or ran on a saturated machine: their per-box figures are lower bounds',
    );
  return {
    workload: w,
    demand: d,
    stages,
    firstEnough: stages.find((s) => s.enough)?.stage ?? null,
    notes,
  };
}

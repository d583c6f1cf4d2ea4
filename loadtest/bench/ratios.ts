/**
 * The matrix's ratios, each against an anchor measured in the same run of the matrix: horizontal
 * scaling efficiency, cached ÷ uncached, replicas ÷ primary, each stage ÷ stage 1. With REPEAT=2
 * or more, each ratio per repeat side by side and its spread. Pure.
 */
import type { BenchRow } from './row.ts';

export interface Ratio {
  readonly name: string;
  /** How it is computed, in the rows' ids. */
  readonly formula: string;
  readonly goal: string | null;
  /** One value per repeat (null where a row is missing or failed). */
  readonly values: readonly (number | null)[];
  /** (max − min) ÷ mean over the repeats that have a value; null with fewer than two. */
  readonly spread: number | null;
  /** A generator-limited, machine-saturated or never-broken row went into it. */
  readonly doubtful: boolean;
}

interface Definition {
  readonly name: string;
  readonly formula: string;
  readonly goal: string | null;
  readonly top: string;
  readonly bottom: string;
  /** The bottom row's capacity is multiplied by this (N web boxes: N × one box). */
  readonly scale: number;
}

function definitions(rows: readonly BenchRow[]): Definition[] {
  const ids = new Set(rows.map((r) => r.id));
  const defs: Definition[] = [];
  const webs = [...ids]
    .filter((id) => id.startsWith('web-'))
    .map((id) => Number(id.slice(4)))
    .sort((a, b) => a - b);
  for (const n of webs.filter((n) => n > 1 && webs.includes(1)))
    defs.push({
      name: `scaling efficiency 1 → ${n} web boxes`,
      formula: `web-${n} ÷ (${n} × web-1)`,
      goal: '≥ 0.80',
      top: `web-${n}`,
      bottom: 'web-1',
      scale: n,
    });
  for (const [kind, goal] of [
    ['post', '≥ 2'],
    ['feed', '≥ 3'],
  ] as const)
    defs.push({
      name: `cached ÷ uncached, ${kind === 'post' ? 'single post' : 'feed'}`,
      formula: `cache-on-${kind} ÷ cache-off-${kind}`,
      goal,
      top: `cache-on-${kind}`,
      bottom: `cache-off-${kind}`,
      scale: 1,
    });
  defs.push({
    name: 'replicas ÷ primary',
    formula: 'reads-replicas ÷ reads-primary',
    goal: null,
    top: 'reads-replicas',
    bottom: 'reads-primary',
    scale: 1,
  });
  const stages = [...ids].filter((id) => id.startsWith('stage-') && id !== 'stage-1').sort();
  for (const s of stages)
    defs.push({
      name: `${s.replace('-', ' ')} ÷ stage 1`,
      formula: `${s} ÷ stage-1`,
      goal: null,
      top: s,
      bottom: 'stage-1',
      scale: 1,
    });
  return defs.filter((d) => ids.has(d.top) && ids.has(d.bottom));
}

export function spreadOf(values: readonly (number | null)[]): number | null {
  const xs = values.filter((v): v is number => v !== null);
  if (xs.length < 2) return null;
  const avg = xs.reduce((a, b) => a + b, 0) / xs.length;
  return avg === 0 ? null : (Math.max(...xs) - Math.min(...xs)) / avg;
}

/** A row whose capacity is a measurement: not limited by the generator or the machine, and whose
 * ramp broke the SLO (a ramp that never broke gives a lower bound). */
const trusted = (r: BenchRow | undefined): boolean =>
  r !== undefined &&
  r.error === undefined &&
  !r.generator.limited &&
  !r.machineSaturated &&
  r.brokeAt !== null;

export function ratios(rows: readonly BenchRow[]): Ratio[] {
  const repeats = Math.max(1, ...rows.map((r) => r.repeat));
  const find = (id: string, repeat: number) => rows.find((r) => r.id === id && r.repeat === repeat);
  return definitions(rows).map((d) => {
    let doubtful = false;
    const values = Array.from({ length: repeats }, (_, i) => {
      const top = find(d.top, i + 1);
      const bottom = find(d.bottom, i + 1);
      if (!trusted(top) || !trusted(bottom)) doubtful = true;
      if (!top || !bottom || top.error || bottom.error || bottom.capacityRps === 0) return null;
      return top.capacityRps / (bottom.capacityRps * d.scale);
    });
    return {
      name: d.name,
      formula: d.formula,
      goal: d.goal,
      values,
      spread: spreadOf(values),
      doubtful,
    };
  });
}

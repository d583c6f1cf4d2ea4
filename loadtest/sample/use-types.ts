/** The USE verdict's types: what goes in (readings, boxes) and what comes out (findings). */
import type { Reading } from './snapshot.ts';

export interface ComponentInfo {
  readonly name: string;
  readonly kind: string;
  readonly box: string;
}

export interface UseInput {
  readonly readings: readonly Reading[];
  readonly components: readonly ComponentInfo[];
  /** CPU quota by box; null = no quota. */
  readonly boxCpus: Readonly<Record<string, number | null>>;
  readonly machineCores: number;
  /** Busy share of the whole machine over the run (all processes, other users included). */
  readonly machineBusy: number;
  readonly generatorTrusted: boolean;
  /** Connections in each web server's pool per database (DB_POOL_SIZE). */
  readonly dbPoolSize: number;
}

export interface Finding {
  readonly component: string;
  readonly kind: string;
  /** 0..1+: how close to saturation (the larger of utilisation and the saturation signals). */
  readonly score: number;
  readonly utilisation: number;
  readonly evidence: string[];
  readonly step: string;
}

export interface Verdict {
  readonly bottleneck: Finding | null;
  readonly ranking: readonly Finding[];
  readonly machineSaturated: boolean;
  readonly notes: string[];
}

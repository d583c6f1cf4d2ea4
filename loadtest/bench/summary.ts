/** What `make bench` writes to summary.json (and what the table, the report and `make plan` read). */
import type { Ratio } from './ratios.ts';
import type { BenchRow } from './row.ts';

export interface BenchSummary {
  readonly version: 1;
  /** The folder name under RESULTS_DIR. */
  readonly run: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: {
    readonly cores: number;
    readonly loadAverageAtStart: readonly number[];
    /**
     * The cgroup the bench ran in (generator and stacks), when not the top one: its rows' machine
     * share counts that group's CPU only. Null: every process on the machine.
     */
    readonly cgroup: string | null;
  };
  readonly scenario: string;
  readonly slo: { readonly p99Ms: number; readonly errorRate: number };
  /** Each box's CPU quota in every run (the benchmark profile). */
  readonly profile: Readonly<Record<string, string>>;
  readonly rows: readonly BenchRow[];
  readonly ratios: readonly Ratio[];
}

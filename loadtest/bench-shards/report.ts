/**
 * `make bench-shards`'s figures, pure: the rows, the ratios against the anchor measured in the
 * same run (write capacity of N shard servers ÷ N × the unsharded stack's; the timeline's write
 * capacity ÷ the scatter stack's; the feed's latency scatter ÷ timeline), and the text report.
 */

export interface FeedFigures {
  readonly rate: number;
  readonly achievedRps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errorRate: number;
  readonly generatorCores: number;
  /** X-DB of one feed read after the run: `timeline`, or the shard servers that answered. */
  readonly servedBy: string;
  readonly loadAverage: readonly number[];
}

export interface DirectRow {
  readonly writesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly connections: number;
  /** Mean cores of each database box while it ran. */
  readonly dbCpu: Readonly<Record<string, number>>;
  readonly machineBusy: number;
  readonly loadAverage: readonly number[];
}

export interface ShardRow {
  readonly id: string;
  readonly shards: number;
  readonly feed: 'scatter' | 'timeline';
  /** Writes/s of the last ramp step that held the SLO; null when writes were not measured. */
  readonly capacityRps: number | null;
  readonly p99Ms: number | null;
  readonly brokeAt: { readonly rate: number; readonly reason: string } | null;
  readonly bottleneck: { readonly component: string; readonly evidence: string } | null;
  readonly generator: {
    readonly cores: number;
    readonly busiestThread: number;
    readonly limited: boolean;
  } | null;
  /** Busy share of the machine's cores while the ramp ran (other processes included). */
  readonly machineBusy: number | null;
  readonly machineSaturated: boolean;
  readonly loadAverage: readonly number[];
  readonly cpu: Readonly<Record<string, { readonly mean: number; readonly peak: number }>>;
  readonly feedLatency: FeedFigures | null;
  /** FEED=timeline: the timeline's bytes in Redis after the run. */
  readonly timelineBytes: number | null;
  /** The write tier alone, straight to the database servers (null: not measured). */
  readonly direct?: DirectRow | null;
  readonly error?: string;
}

export interface ShardRatios {
  /** Per shard count above 1: capacity ÷ (N × the unsharded capacity). Goal ≥ 0.7. */
  readonly efficiency: readonly { readonly shards: number; readonly value: number | null }[];
  /** The same for the write tier alone (direct inserts): writes/s ÷ (N × unsharded). */
  readonly directEfficiency: readonly { readonly shards: number; readonly value: number | null }[];
  /**
   * Writes per core of database CPU the boxes actually got, ÷ the unsharded run's: whether the
   * write tier scales with the CPU it is given (on a busy machine the boxes get less than quota).
   */
  readonly directPerCore: readonly { readonly shards: number; readonly value: number | null }[];
  /** Write capacity with FEED=timeline ÷ with scatter, same shard count (the fan-out's cost). */
  readonly timelineWriteCost: number | null;
  /** Feed latency scatter ÷ timeline, at the same offered rate. */
  readonly feedP50: number | null;
  readonly feedP99: number | null;
}

const ratio = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined || b === null || b === undefined || b === 0 ? null : a / b;

/** Writes per core of the database boxes' CPU (the directory's too; it is near idle). */
const perCore = (d: DirectRow | null | undefined): number | null => {
  if (d === null || d === undefined) return null;
  const cores = Object.values(d.dbCpu).reduce((a, b) => a + b, 0);
  return cores > 0 ? d.writesPerSecond / cores : null;
};

export function shardRatios(rows: readonly ShardRow[], feedShards: number): ShardRatios {
  const scatter = (n: number) => rows.find((r) => r.shards === n && r.feed === 'scatter');
  const anchor = scatter(1)?.capacityRps;
  const timeline = rows.find((r) => r.shards === feedShards && r.feed === 'timeline');
  const feedScatter = scatter(feedShards)?.feedLatency;
  return {
    efficiency: rows
      .filter((r) => r.feed === 'scatter' && r.shards > 1 && r.capacityRps !== null)
      .map((r) => ({ shards: r.shards, value: ratio(r.capacityRps, (anchor ?? 0) * r.shards) })),
    directEfficiency: rows
      .filter((r) => r.feed === 'scatter' && r.shards > 1 && r.direct)
      .map((r) => ({
        shards: r.shards,
        value: ratio(
          r.direct?.writesPerSecond,
          (scatter(1)?.direct?.writesPerSecond ?? 0) * r.shards,
        ),
      })),
    directPerCore: rows
      .filter((r) => r.feed === 'scatter' && r.shards > 1 && r.direct)
      .map((r) => ({
        shards: r.shards,
        value: ratio(perCore(r.direct), perCore(scatter(1)?.direct)),
      })),
    timelineWriteCost: ratio(timeline?.capacityRps, scatter(feedShards)?.capacityRps),
    feedP50: ratio(feedScatter?.p50Ms, timeline?.feedLatency?.p50Ms),
    feedP99: ratio(feedScatter?.p99Ms, timeline?.feedLatency?.p99Ms),
  };
}

const f = (x: number | null | undefined, digits = 0) =>
  x === null || x === undefined ? '—' : x.toFixed(digits);
const load = (l: readonly number[]) => l.map((x) => x.toFixed(1)).join(' / ');

/** The CPU of the database boxes during the ramp, mean/peak cores: `mysql-shard-1 0.05/0.10`. */
function dbCpu(row: ShardRow): string {
  return Object.entries(row.cpu)
    .filter(([name]) => name.startsWith('mysql'))
    .map(([name, c]) => `${name} ${c.mean.toFixed(2)}/${c.peak.toFixed(2)}`)
    .join(', ');
}

export function reportText(
  rows: readonly ShardRow[],
  ratios: ShardRatios,
  context: {
    readonly dbBoxCpus: number;
    readonly cores: number;
    readonly startLoad: readonly number[];
  },
): string {
  const lines: string[] = [];
  lines.push(
    `make bench-shards: ${context.cores} cores, DB_BOX_CPUS=${context.dbBoxCpus} on every database box, load average at the start ${load(context.startLoad)}`,
  );
  lines.push('');
  lines.push(
    '| run | writes/s at SLO | p99 ms | broke at | bottleneck | DB CPU (cores, mean/peak) | generator cores (busiest thread) | machine busy | load avg |',
  );
  lines.push('| --- | ---: | ---: | --- | --- | --- | --- | ---: | --- |');
  for (const r of rows) {
    if (r.error !== undefined) {
      lines.push(`| ${r.id} | failed: ${r.error} | | | | | | | ${load(r.loadAverage)} |`);
      continue;
    }
    if (r.capacityRps === null) continue;
    const flags = [
      r.machineSaturated ? 'machine saturated' : '',
      r.generator?.limited ? 'generator-limited' : '',
    ]
      .filter((x) => x !== '')
      .join(', ');
    lines.push(
      `| ${r.id} | ${f(r.capacityRps)}${flags ? ` (${flags})` : ''} | ${f(r.p99Ms)} | ${r.brokeAt ? `${r.brokeAt.rate}/s: ${r.brokeAt.reason}` : '—'} | ${r.bottleneck ? `${r.bottleneck.component}: ${r.bottleneck.evidence}` : '—'} | ${dbCpu(r)} | ${f(r.generator?.cores, 2)} (${f((r.generator?.busiestThread ?? 0) * 100)} %) | ${f((r.machineBusy ?? 0) * 100)} % | ${load(r.loadAverage)} |`,
    );
  }
  lines.push('');
  lines.push('| ratio (same run) | value | goal |');
  lines.push('| --- | ---: | --- |');
  for (const e of ratios.efficiency)
    lines.push(`| scaling efficiency 1 → ${e.shards} shards | ${f(e.value, 2)} | ≥ 0.70 |`);
  for (const e of ratios.directEfficiency)
    lines.push(
      `| write tier alone (direct inserts), efficiency 1 → ${e.shards} shards | ${f(e.value, 2)} | ≥ 0.70 |`,
    );
  for (const e of ratios.directPerCore)
    lines.push(
      `| write tier alone, writes per database core, ${e.shards} shards ÷ unsharded | ${f(e.value, 2)} | (CPU-normalised) |`,
    );
  lines.push(
    `| write capacity, timeline ÷ scatter | ${f(ratios.timelineWriteCost, 2)} | (the fan-out's cost) |`,
  );
  lines.push(`| feed p50, scatter ÷ timeline | ${f(ratios.feedP50, 2)} | |`);
  lines.push(`| feed p99, scatter ÷ timeline | ${f(ratios.feedP99, 2)} | |`);
  const direct = rows.filter((r) => r.direct);
  if (direct.length > 0) {
    lines.push('');
    lines.push(
      '| write tier alone (direct inserts) | writes/s | p50 ms | p99 ms | errors | loops | DB CPU (cores, mean) | machine busy | load avg |',
    );
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |');
    for (const r of direct) {
      const d = r.direct as DirectRow;
      const cpu = Object.entries(d.dbCpu)
        .map(([name, c]) => `${name} ${c.toFixed(3)}`)
        .join(', ');
      lines.push(
        `| ${r.id} | ${f(d.writesPerSecond)} | ${f(d.p50Ms, 1)} | ${f(d.p99Ms, 1)} | ${d.errors} | ${d.connections} | ${cpu} | ${f(d.machineBusy * 100)} % | ${load(d.loadAverage)} |`,
      );
    }
  }
  const feeds = rows.filter((r) => r.feedLatency !== null);
  if (feeds.length > 0) {
    lines.push('');
    lines.push(
      '| feed at a fixed rate | offered/s | served/s | p50 ms | p99 ms | errors | X-DB | generator cores | load avg |',
    );
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |');
    for (const r of feeds) {
      const l = r.feedLatency as FeedFigures;
      lines.push(
        `| ${r.id} | ${l.rate} | ${f(l.achievedRps)} | ${f(l.p50Ms, 1)} | ${f(l.p99Ms, 1)} | ${f(l.errorRate * 100, 1)} % | ${l.servedBy} | ${f(l.generatorCores, 2)} | ${load(l.loadAverage)} |`,
      );
    }
  }
  const bytes = rows.find((r) => r.timelineBytes !== null)?.timelineBytes;
  if (bytes !== undefined && bytes !== null)
    lines.push('', `timeline in Redis after the run: ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
  return `${lines.join('\n')}\n`;
}

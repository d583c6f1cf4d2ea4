/** What the main thread and the load worker threads say to each other. */
import type { EngineResult } from '../core/engine.ts';
import type { ScenarioData, ScenarioName, ScenarioTotals } from '../scenarios/scenario.ts';

export interface WorkerJob {
  readonly scenario: ScenarioName;
  readonly origin: string;
  readonly ca: string | undefined;
  readonly data: ScenarioData;
  readonly mode: 'open' | 'closed';
  /** Open loop: this worker's req/s. Closed loop: its connections. */
  readonly share: number;
  readonly connections: number;
  readonly durationMs: number;
  readonly drainMs: number;
  readonly timeoutMs: number;
  readonly seed: number;
  readonly worker: number;
  readonly workers: number;
}

/** One second's worth of results from one worker. */
export interface Tick {
  readonly type: 'tick';
  readonly latency: Record<string, number[]>;
  readonly service: number[];
  readonly statuses: Record<string, number>;
  readonly errors: Record<string, number>;
  readonly cpuMs: number;
}

export type FromWorker =
  | { readonly type: 'ready' }
  | Tick
  | {
      readonly type: 'done';
      readonly engine: EngineResult;
      readonly totals: ScenarioTotals;
      readonly cpuMs: number;
      readonly wallMs: number;
    }
  | { readonly type: 'failed'; readonly message: string };

export type ToWorker = { readonly type: 'go' };

/**
 * Stopping processes of a stack by their pid records, in reverse dependency order: each wave gets
 * SIGTERM, then SIGKILL after the grace period; `force` sends SIGKILL at once. A pid is signalled
 * only while it is provably ours (same boot, same start time), so a recycled pid is never touched.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { classify, type PidRecord, stopWaves } from './crash-recovery/ownership.ts';
import { procFacts } from './proc.ts';

const isOurs = (r: PidRecord) => classify(r, procFacts(r.pid)) === 'ours';

function signal(r: PidRecord, sig: NodeJS.Signals): void {
  if (!isOurs(r)) return;
  try {
    // The whole process group (each child leads its own), so helpers it started go too.
    process.kill(-r.pid, sig);
  } catch {
    try {
      process.kill(r.pid, sig);
    } catch {
      // already gone
    }
  }
}

async function waitGone(records: readonly PidRecord[], ms: number): Promise<PidRecord[]> {
  const deadline = Date.now() + ms;
  let left = records.filter(isOurs);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(50);
    left = left.filter(isOurs);
  }
  return left;
}

export interface StopOptions {
  readonly graceMs: number;
  /** Skip SIGTERM: kill at once. */
  readonly force?: boolean;
  /** Set (e.g. by a second Ctrl-C) to switch an ongoing stop to SIGKILL. */
  readonly hurry?: AbortSignal;
  readonly onStopped?: (r: PidRecord, how: 'term' | 'kill') => void;
}

async function stopWave(wave: readonly PidRecord[], options: StopOptions): Promise<void> {
  const running = wave.filter(isOurs);
  if (running.length === 0) return;
  if (!options.force && !options.hurry?.aborted) {
    for (const r of running) signal(r, 'SIGTERM');
    const hurry = options.hurry;
    const left = await Promise.race([
      waitGone(running, options.graceMs),
      new Promise<PidRecord[]>((resolve) => {
        hurry?.addEventListener('abort', () => resolve(running.filter(isOurs)), { once: true });
      }),
    ]);
    for (const r of running) if (!left.includes(r)) options.onStopped?.(r, 'term');
    if (left.length === 0) return;
    for (const r of left) signal(r, 'SIGKILL');
    await waitGone(left, 5000);
    for (const r of left) options.onStopped?.(r, 'kill');
    return;
  }
  for (const r of running) signal(r, 'SIGKILL');
  await waitGone(running, 5000);
  for (const r of running) options.onStopped?.(r, 'kill');
}

/** Stops every record that is still ours, highest wave first. Returns those still running. */
export async function stopProcesses(
  records: readonly PidRecord[],
  options: StopOptions,
): Promise<PidRecord[]> {
  for (const wave of stopWaves(records)) await stopWave(wave, options);
  return records.filter(isOurs);
}

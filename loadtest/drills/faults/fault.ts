/** What every fault of a drill is: applied, healed, and always undone on the way out. */
export interface Fault {
  /** One line: what is done to what (`SIGSTOP mysql-replica-1`). */
  readonly what: string;
  apply(): Promise<void>;
  /** Ends the fault (resume, restart, remove the toxic) and waits until the service answers. */
  heal(): Promise<void>;
  /** Leaves the stack as it was found, whatever happened (idempotent; after a failure too). */
  cleanup(): Promise<void>;
  /** Facts the fault observed, in ms: `restartedInMs`, `exitedInMs`, ... */
  readonly observed: Record<string, number>;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` every 50 ms; the ms it took, or undefined after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<number | undefined> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (await check()) return performance.now() - t0;
    await sleep(50);
  }
  return undefined;
}

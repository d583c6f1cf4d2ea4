/**
 * What the LB says about one backend of a pool, from its admin `/stats.json` (with a deadline):
 * `up` (in rotation), `down` (listed, not taking requests), `absent` (no longer a member), and its
 * requests in flight. The pool scaler waits on it: a new server counts as added once the LB routes
 * to it, a leaving one is stopped only once the LB has dropped it.
 */

export type BackendView =
  | { readonly state: 'up' | 'down'; readonly inflight: number }
  | { readonly state: 'absent' };

interface Stats {
  readonly pools?: readonly {
    readonly name: string;
    readonly backends: readonly { address: string; up: boolean; inflight: number }[];
  }[];
}

/** Pure: the backend `address` of `pool` in a /stats.json body. */
export function backendIn(stats: Stats, pool: string, address: string): BackendView {
  const b = stats.pools?.find((p) => p.name === pool)?.backends.find((x) => x.address === address);
  if (b === undefined) return { state: 'absent' };
  return { state: b.up ? 'up' : 'down', inflight: b.inflight };
}

export async function viewBackend(
  statsUrl: string,
  pool: string,
  address: string,
  timeoutMs = 2000,
): Promise<BackendView> {
  const res = await fetch(statsUrl, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`${statsUrl} answered ${res.status}`);
  return backendIn((await res.json()) as Stats, pool, address);
}

/** Polls until `done` holds for the backend's view, or the deadline; returns the last view. */
export async function waitForBackend(
  statsUrl: string,
  pool: string,
  address: string,
  done: (v: BackendView) => boolean,
  deadlineMs: number,
): Promise<{ view: BackendView | undefined; reached: boolean }> {
  const end = Date.now() + deadlineMs;
  let view: BackendView | undefined;
  for (;;) {
    view = await viewBackend(statsUrl, pool, address).catch(() => undefined);
    if (view !== undefined && done(view)) return { view, reached: true };
    if (Date.now() >= end) return { view, reached: false };
    await new Promise((r) => setTimeout(r, 200));
  }
}

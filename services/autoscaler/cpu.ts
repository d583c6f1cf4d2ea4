/**
 * The `cpu` signal: each server's CPU use against its box's quota (BOX_CPUS), from the
 * `process_cpu_seconds_total` counter on its /metrics, read one interval apart. 1.0 means the box
 * used its whole quota. Averaged over the servers that answered twice.
 */

/** Pure: the counter's value in a Prometheus text body. */
export function cpuSecondsIn(text: string): number | undefined {
  const m = /^process_cpu_seconds_total(?:\{[^}]*\})? ([0-9.eE+-]+)$/m.exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

export class CpuReader {
  readonly #last = new Map<string, { at: number; seconds: number }>();
  readonly #boxCpus: number;
  readonly #timeoutMs: number;

  constructor(boxCpus: number, timeoutMs: number) {
    this.#boxCpus = boxCpus;
    this.#timeoutMs = timeoutMs;
  }

  /** Mean share of the quota used per server since the last call (null before two readings). */
  async perServer(addresses: readonly string[]): Promise<number | null> {
    const shares = await Promise.all(addresses.map((a) => this.#share(a)));
    const known = shares.filter((s): s is number => s !== undefined);
    return known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
  }

  async #share(address: string): Promise<number | undefined> {
    const text = await fetch(`http://${address}/metrics`, {
      signal: AbortSignal.timeout(this.#timeoutMs),
    })
      .then((r) => r.text())
      .catch(() => '');
    const seconds = cpuSecondsIn(text);
    if (seconds === undefined) return undefined;
    const at = performance.now();
    const before = this.#last.get(address);
    this.#last.set(address, { at, seconds });
    if (before === undefined || at <= before.at) return undefined;
    return (seconds - before.seconds) / ((at - before.at) / 1000) / this.#boxCpus;
  }
}

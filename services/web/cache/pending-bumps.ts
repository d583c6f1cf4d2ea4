/**
 * Version bumps that did not reach memcached (down or paused when a write committed), retried every
 * RETRY_MS until they land, so pages cached before the write stop being served soon after
 * memcached is back rather than when they expire. Bounded: past MAX_PENDING the oldest bump is
 * dropped (its pages then live out their TTL).
 */
export const RETRY_MS = 250;
export const MAX_PENDING = 10_000;

export class PendingBumps {
  readonly #keys = new Set<string>();
  readonly #bump: (key: string) => Promise<boolean>;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(bump: (key: string) => Promise<boolean>) {
    this.#bump = bump;
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  add(key: string): void {
    this.#keys.delete(key);
    this.#keys.add(key);
    if (this.#keys.size > MAX_PENDING) {
      const oldest = this.#keys.values().next().value;
      if (oldest !== undefined) this.#keys.delete(oldest);
    }
    this.#timer ??= setInterval(() => void this.#retry(), RETRY_MS).unref();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#keys.clear();
  }

  async #retry(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      for (const key of [...this.#keys]) {
        if (!(await this.#bump(key))) return;
        this.#keys.delete(key);
      }
      if (this.#keys.size === 0) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    } finally {
      this.#running = false;
    }
  }
}

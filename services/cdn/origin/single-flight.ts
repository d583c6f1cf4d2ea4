/**
 * Request coalescing: concurrent callers for one key share one in-flight promise, so N misses for
 * an object cost one origin fetch. `forget` drops a flight (a purge) so later callers start anew.
 */
export class SingleFlight<T> {
  readonly #flights = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): Promise<T> {
    const existing = this.#flights.get(key);
    if (existing !== undefined) return existing;
    const flight = work().finally(() => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    });
    this.#flights.set(key, flight);
    return flight;
  }

  forget(predicate: (key: string) => boolean): void {
    for (const key of [...this.#flights.keys()]) if (predicate(key)) this.#flights.delete(key);
  }

  get size(): number {
    return this.#flights.size;
  }
}

/**
 * DB_TOPOLOGY=master-master: which master takes a user's writes. Pure.
 *
 * Every write of one user goes to that user's home master, chosen by a hash of the user id (the
 * splitmix64 finaliser, so consecutive ids, all odd when one master made them, still spread
 * evenly): the same row is never written on both sides, which is what keeps two asynchronous
 * masters from diverging. Only while the home master is down do the user's writes go to the other
 * one; they come back once it answers again.
 */

const MASK = (1n << 64n) - 1n;

/** splitmix64's finaliser: a well-mixed 64-bit value of `x`. */
export function mix64(x: bigint): bigint {
  let z = x & MASK;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}

/** The user's home master: an index from 0 to `masters` − 1. */
export function homeMaster(userId: bigint, masters: number): number {
  return Number(mix64(userId) % BigInt(masters));
}

/**
 * Where a write of a user whose home is `home` goes now: home while it is up, otherwise the next
 * master that is up; home again when none is (the write then fails fast with a 503 rather than
 * waiting).
 */
export function chooseMaster(home: number, up: readonly boolean[]): number {
  if (up[home] === true) return home;
  for (let step = 1; step < up.length; step++) {
    const i = (home + step) % up.length;
    if (up[i] === true) return i;
  }
  return home;
}

/**
 * Skewed key popularity: a Zipf-like sampler over n keys (rank r chosen with weight 1 / r^s),
 * ranks scattered over the key range by a fixed permutation so hot keys are not all adjacent.
 * Pure given its random source.
 */

export interface KeySampler {
  /** A key in [0, n). */
  next(): number;
}

export function zipf(n: number, s: number, random: () => number): KeySampler {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`zipf: n must be a positive integer`);
  const cdf = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) {
    total += 1 / (r + 1) ** s;
    cdf[r] = total;
  }
  const scatter = (rank: number) => Number((BigInt(rank) * 2654435761n) % BigInt(n));
  const coprime = gcd(2654435761 % n, n) === 1 || n === 1;
  return {
    next() {
      const target = random() * total;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((cdf[mid] ?? 0) < target) lo = mid + 1;
        else hi = mid;
      }
      return coprime ? scatter(lo) : lo;
    },
  };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Deterministic, realistic-looking seed data: usernames, ~1 KB post bodies from a word list, a
 * skewed choice of authors (a few users write most posts) and timestamps spread over recent days.
 * Pure: the same seed gives the same data.
 */

/** mulberry32: a tiny, fast, seedable PRNG (uniform in [0, 1)). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'scale load balancer cache replica primary shard queue worker thumbnail session cookie sticky ' +
  'latency throughput request response server client database index query table row column write ' +
  'read heavy light fast slow memory disk network packet route pool backend frontend edge object ' +
  'store bucket upload image feed post user cart order checkout book coffee morning evening weekend ' +
  'today tomorrow yesterday really quite very rather simply just never always often sometimes the a ' +
  'an of to in on for with from about into over after before under between through during without ' +
  'is are was were be been has have had do does did can could will would should may might must'
).split(' ');

export const seedUsername = (n: number): string => `seed_${String(n).padStart(6, '0')}`;

/** A post body of about `targetBytes` (never more than `maxChars` characters). */
export function postBody(random: () => number, targetBytes = 1000, maxChars = 1024): string {
  const target = Math.round(targetBytes * (0.8 + random() * 0.4));
  const parts: string[] = [];
  let length = 0;
  let sentenceStart = true;
  while (length < target) {
    let word = WORDS[Math.floor(random() * WORDS.length)] ?? 'scale';
    if (sentenceStart) word = word.charAt(0).toUpperCase() + word.slice(1);
    sentenceStart = random() < 0.08;
    if (sentenceStart) word += '.';
    parts.push(word);
    length += word.length + 1;
  }
  return parts.join(' ').slice(0, maxChars);
}

/**
 * An author index in [0, users): a power-law skew, so the first users are prolific and most post
 * rarely, like real feeds (and like the skewed key popularity the load tests use).
 */
export function skewedIndex(random: () => number, users: number, exponent = 2): number {
  return Math.min(users - 1, Math.floor(users * random() ** exponent));
}

/** `count` timestamps, ascending, spread over the `days` before `end`. */
export function timeline(count: number, days: number, end: Date): (i: number) => Date {
  const span = days * 86_400_000;
  const start = end.getTime() - span;
  return (i) => new Date(start + Math.floor((span * i) / Math.max(1, count)));
}

/**
 * 64-bit ids that carry their logical shard (the Instagram / Twitter Snowflake layout):
 *
 *   bit 63: 0 | 41 bits: ms since EPOCH_MS | 13 bits: logical shard | 10 bits: sequence
 *
 * Ids sort by time, stay globally unique (the sequence comes from the shard server, see
 * sharding/ids-sql.ts) and say which logical shard holds the row, so a read by id goes straight to
 * the right server without a lookup. They pass 2^53, so JSON carries them as strings; SQL gets them
 * as BigInt parameters (mysql2 binds those as 64-bit integers, never doubles). Pure.
 */

/** 2020-01-01T00:00:00Z: 41 bits of milliseconds from here last until 2089. */
export const EPOCH_MS = Date.UTC(2020, 0, 1);
export const TIME_BITS = 41;
export const SHARD_BITS = 13;
export const SEQUENCE_BITS = 10;

const SHARD_SHIFT = BigInt(SEQUENCE_BITS);
const TIME_SHIFT = BigInt(SEQUENCE_BITS + SHARD_BITS);
const MAX_TIME = (1n << BigInt(TIME_BITS)) - 1n;
const SHARD_MASK = (1n << BigInt(SHARD_BITS)) - 1n;
const SEQUENCE_MASK = (1n << BigInt(SEQUENCE_BITS)) - 1n;
/** The largest id: 2^63 - 1 (the top bit stays 0, so signed and unsigned readers agree). */
export const MAX_ID = (1n << 63n) - 1n;

export interface IdParts {
  /** Milliseconds since the Unix epoch. */
  readonly ms: number;
  readonly shard: number;
  readonly sequence: number;
}

/** Builds an id; throws a RangeError for a part out of its bits (a programming error). */
export function composeId({ ms, shard, sequence }: IdParts): bigint {
  const elapsed = BigInt(Math.floor(ms) - EPOCH_MS);
  if (elapsed < 0n || elapsed > MAX_TIME) throw new RangeError(`time ${ms} outside the id's range`);
  if (!Number.isInteger(shard) || shard < 0 || BigInt(shard) > SHARD_MASK)
    throw new RangeError(`logical shard ${shard} outside 0..${SHARD_MASK}`);
  const seq = BigInt(Math.floor(sequence)) & SEQUENCE_MASK; // a counter wraps into its bits
  return (elapsed << TIME_SHIFT) | (BigInt(shard) << SHARD_SHIFT) | seq;
}

export function decomposeId(id: bigint): IdParts {
  return {
    ms: Number(id >> TIME_SHIFT) + EPOCH_MS,
    shard: Number((id >> SHARD_SHIFT) & SHARD_MASK),
    sequence: Number(id & SEQUENCE_MASK),
  };
}

/** The logical shard an id belongs to. */
export const shardOfId = (id: bigint): number => Number((id >> SHARD_SHIFT) & SHARD_MASK);

/**
 * An id from a URL or JSON (decimal digits, or a safe JSON number); undefined when it is not one.
 * Leading zeros, signs, exponents and values past MAX_ID are refused.
 */
export function parseId(value: unknown): bigint | undefined {
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && value > 0 ? BigInt(value) : undefined;
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,18}$/.test(value)) return undefined;
  const id = BigInt(value);
  return id <= MAX_ID ? id : undefined;
}

/**
 * How an id travels in JSON: a number while it is a safe integer (the AUTO_INCREMENT ids of an
 * unsharded stack, as before), a decimal string past 2^53 (every sharded id).
 */
export function idToJson(id: bigint | number | string): number | string {
  const big = typeof id === 'bigint' ? id : BigInt(id);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
}

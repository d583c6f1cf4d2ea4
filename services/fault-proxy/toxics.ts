/**
 * Toxics, as Toxiproxy names them: what a fault proxy does to the bytes of one direction of a
 * connection (`upstream`: client → dependency, `downstream`: dependency → client). Pure: parsing
 * an admin request into a toxic, and the timing rules the streams apply.
 * - latency   {latency, jitter} ms added to every chunk (order kept)
 * - bandwidth {rate} KB/s
 * - timeout   {timeout} ms: data stops; the connection is closed after `timeout` (0: never)
 * - reset_peer {timeout} ms: the connection is reset (TCP RST) after `timeout`
 * `toxicity` (0–1) is the share of new connections the toxic applies to.
 */

export const TOXIC_TYPES = ['latency', 'bandwidth', 'timeout', 'reset_peer'] as const;
export type ToxicType = (typeof TOXIC_TYPES)[number];
export type Stream = 'upstream' | 'downstream';

export interface Toxic {
  readonly name: string;
  readonly type: ToxicType;
  readonly stream: Stream;
  readonly toxicity: number;
  readonly attributes: Readonly<Record<string, number>>;
}

const ATTRIBUTES: Readonly<Record<ToxicType, Readonly<Record<string, number>>>> = {
  latency: { latency: 0, jitter: 0 },
  bandwidth: { rate: 0 },
  timeout: { timeout: 0 },
  reset_peer: { timeout: 0 },
};

const MAX_MS = 3_600_000;

export class ToxicError extends Error {}

/** Parses a toxic from an admin request body; throws ToxicError naming what is wrong. */
export function parseToxic(body: unknown): Toxic {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const type = b.type;
  if (typeof type !== 'string' || !(TOXIC_TYPES as readonly string[]).includes(type))
    throw new ToxicError(`type must be one of ${TOXIC_TYPES.join(', ')}`);
  const t = type as ToxicType;
  const stream = b.stream ?? 'downstream';
  if (stream !== 'upstream' && stream !== 'downstream')
    throw new ToxicError('stream must be upstream or downstream');
  const toxicity = b.toxicity ?? 1;
  if (typeof toxicity !== 'number' || !(toxicity >= 0 && toxicity <= 1))
    throw new ToxicError('toxicity must be a number from 0 to 1');
  const given = (b.attributes ?? {}) as Record<string, unknown>;
  const attributes: Record<string, number> = { ...ATTRIBUTES[t] };
  for (const [key, value] of Object.entries(given)) {
    if (!(key in attributes)) throw new ToxicError(`${t} has no attribute ${key}`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_MS * 1000)
      throw new ToxicError(`${key} must be a non-negative number`);
    attributes[key] = value;
  }
  if (t === 'bandwidth' && (attributes.rate ?? 0) <= 0)
    throw new ToxicError('bandwidth needs a rate above 0 (KB/s)');
  const name = b.name ?? `${t}_${stream}`;
  if (typeof name !== 'string' || !/^[\w-]{1,64}$/.test(name))
    throw new ToxicError('name must be 1–64 letters, digits, _ or -');
  return { name, type: t, stream, toxicity, attributes };
}

/** The delay of one chunk under latency ± jitter; `r` in [0, 1). */
export function latencyMs(attributes: Readonly<Record<string, number>>, r: number): number {
  const latency = attributes.latency ?? 0;
  const jitter = attributes.jitter ?? 0;
  return Math.max(0, latency + (r * 2 - 1) * jitter);
}

/** How long sending `bytes` takes at `rate` KB/s. */
export function bandwidthMs(bytes: number, rateKbPerSecond: number): number {
  return (bytes / (rateKbPerSecond * 1024)) * 1000;
}

/**
 * When a chunk may leave: never before the previous one (order is kept), and not before `now`
 * plus its own delay.
 */
export function releaseAt(previous: number, now: number, delayMs: number): number {
  return Math.max(previous, now + delayMs);
}

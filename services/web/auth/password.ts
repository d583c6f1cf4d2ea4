/**
 * Password hashing with scrypt (node:crypto, on the libuv thread pool). The stored form carries its
 * parameters: `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>`, so the cost can rise without
 * invalidating old hashes. Comparison is constant-time.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;

interface Parsed {
  readonly cost: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function derive(
  password: string,
  salt: Buffer,
  cost: number,
  r: number,
  p: number,
): Promise<Buffer> {
  const N = 2 ** cost;
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export function parseHash(stored: string): Parsed | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [cost, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const hash = Buffer.from(parts[5] ?? '', 'base64');
  if (!Number.isInteger(cost) || !Number.isInteger(r) || !Number.isInteger(p)) return undefined;
  if (cost === undefined || r === undefined || p === undefined) return undefined;
  if (cost < 1 || cost > 24 || r < 1 || r > 32 || p < 1 || p > 16) return undefined;
  if (salt.length < 8 || hash.length !== KEY_LENGTH) return undefined;
  return { cost, r, p, salt, hash };
}

export async function hashPassword(password: string, cost: number): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const hash = await derive(password, salt, cost, BLOCK_SIZE, PARALLELISM);
  return [
    'scrypt',
    cost,
    BLOCK_SIZE,
    PARALLELISM,
    salt.toString('base64'),
    hash.toString('base64'),
  ].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (parsed === undefined) return false;
  const candidate = await derive(password, parsed.salt, parsed.cost, parsed.r, parsed.p);
  return timingSafeEqual(candidate, parsed.hash);
}

/**
 * Checks a login. For an unknown user it still runs a full verification against a decoy hash of
 * the same cost, so the answer time does not reveal whether the account exists.
 */
export async function checkLogin(
  password: string,
  stored: string | undefined,
  decoy: string,
): Promise<boolean> {
  const ok = await verifyPassword(password, stored ?? decoy);
  return stored !== undefined && ok;
}

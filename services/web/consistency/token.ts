/**
 * The read-your-writes token a writer carries in the `ryw` cookie: the GTID position of its last
 * write and when the token stops counting. Sealed with AES-256-GCM under a key derived from
 * COOKIE_SECRET, so it is tamper-proof (a changed byte fails authentication) and opaque (it does
 * not reveal the primary's transaction counts). Bounded: positions have at most MAX_DOMAINS
 * domains and a token longer than MAX_TOKEN_CHARS is refused unread.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { formatGtid, type GtidPosition, parseGtid } from './gtid.ts';

export interface WriteMark {
  readonly position: GtidPosition;
  /** Epoch seconds after which the token is ignored. */
  readonly expiresAt: number;
}

export const MAX_TOKEN_CHARS = 512;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const TOKEN = /^[A-Za-z0-9_-]+$/;

export class TokenSealer {
  readonly #key: Buffer;

  constructor(secret: string) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, '', 'scaling-lab read-your-writes v1', 32));
  }

  seal(mark: WriteMark): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const text = `${mark.expiresAt}|${formatGtid(mark.position)}`;
    const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /** The mark in `token` when it is authentic and not expired at `nowSeconds`, else undefined. */
  open(token: string | undefined, nowSeconds: number): WriteMark | undefined {
    if (token === undefined || token.length > MAX_TOKEN_CHARS || !TOKEN.test(token)) return;
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
    let text: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      text = Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      return undefined;
    }
    const [expires, gtid = ''] = text.split('|');
    const expiresAt = Number(expires);
    const position = parseGtid(gtid);
    if (!Number.isSafeInteger(expiresAt) || position === undefined || expiresAt <= nowSeconds)
      return undefined;
    return { position, expiresAt };
  }
}

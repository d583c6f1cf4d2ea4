/** Session ids: 256 random bits, base64url. Anything else in the cookie is ignored, never parsed. */
import { randomBytes } from 'node:crypto';

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export const newSessionId = (): string => randomBytes(32).toString('base64url');

export const isSessionId = (value: unknown): value is string =>
  typeof value === 'string' && SESSION_ID.test(value);

/** A cart token (SessionData.cartToken): 96 random bits, base64url. */
export const newCartToken = (): string => randomBytes(12).toString('base64url');

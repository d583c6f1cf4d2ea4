/** JSON schemas shared by the routes: the error body, ids, the Idempotency-Key header. */

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

/** Error bodies for every status a route may answer with besides its success. */
export const errorResponses = { '4xx': errorSchema, '5xx': errorSchema } as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
} as const;

/** A post's or user's id: decimal digits, 64-bit (sharded ids pass 2^53, so they are text). */
export const bigIdParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,18}$' } },
} as const;

/** An id in a response: a number unsharded, a decimal string past 2^53 (shard/ids.ts idToJson). */
export const idValue = { type: ['integer', 'string'] } as const;

/** Printable ASCII without spaces, 1–128 characters. */
export const IDEMPOTENCY_KEY_PATTERN = '^[\\x21-\\x7e]{1,128}$';

export const idempotencyHeaders = {
  type: 'object',
  properties: { 'idempotency-key': { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN } },
} as const;

export interface IdempotencyHeaders {
  'idempotency-key'?: string;
}

export const USERNAME_PATTERN = '^[A-Za-z0-9_.-]{3,32}$';

export const credentialsBody = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: {
    username: { type: 'string', pattern: USERNAME_PATTERN },
    password: { type: 'string', minLength: 8, maxLength: 128 },
  },
} as const;

export interface Credentials {
  username: string;
  password: string;
}

export const userSchema = {
  type: 'object',
  required: ['id', 'username'],
  properties: { id: idValue, username: { type: 'string' } },
} as const;

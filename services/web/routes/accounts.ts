/**
 * Sign-up, login, logout and "who am I". Logins always check a password hash, even for unknown
 * users (against a decoy), so timing does not reveal which usernames exist, and always start a new
 * session id. Sign-up and login cost a scrypt hash each: they are rate-limited per client
 * (RATE_LIMIT_SIGNUP_PER_MINUTE, RATE_LIMIT_LOGIN_PER_MINUTE) and shed when too many hashes are
 * in flight (PRESSURE_MAX_PENDING_HASHES).
 */
import type { FastifyInstance } from 'fastify';
import type { Row } from '../../shared/db/target.ts';
import { HttpError } from '../../shared/http-error.ts';
import { idToJson } from '../../shared/shard/ids.ts';
import type { HashGate } from '../auth/hash-gate.ts';
import { checkLogin, hashPassword } from '../auth/password.ts';
import { requestDigest } from '../db/idempotency.ts';
import { perMinute } from '../plugins/limits.ts';
import { endSession, sessionOf, startSession } from '../plugins/sessions.ts';
import { newCartToken } from '../sessions/session-id.ts';
import { nextId } from '../sharding/ids.ts';
import { ensureShardUser, newUserShard } from '../sharding/users.ts';
import { markWrite, type ReadPolicy } from './read-source.ts';
import {
  type Credentials,
  credentialsBody,
  errorResponses,
  type IdempotencyHeaders,
  idempotencyHeaders,
  idValue,
  userSchema,
} from './schemas.ts';

export interface AccountOptions {
  readonly passwordCost: number;
  readonly serverId: string;
  readonly hashGate: HashGate;
  readonly signupPerMinute: number;
  readonly loginPerMinute: number;
  readonly reads: ReadPolicy;
}

interface UserRow extends Row {
  id: number | string;
  username: string;
  password_hash: string;
}

export default async function accountRoutes(
  app: FastifyInstance,
  options: AccountOptions,
): Promise<void> {
  const decoy = await hashPassword(`decoy-${Math.random()}`, options.passwordCost);

  app.post<{ Body: Credentials; Headers: IdempotencyHeaders }>(
    '/api/users',
    {
      config: { access: 'web', ...perMinute(options.signupPerMinute) },
      schema: {
        body: credentialsBody,
        headers: idempotencyHeaders,
        response: { 201: userSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const key = request.headers['idempotency-key'];
      const claim = key
        ? { scope: 'users:anonymous', key, requestHash: requestDigest('POST /api/users', username) }
        : undefined;
      const hash = await options.hashGate.run(() => hashPassword(password, options.passwordCost));
      const result = await app.idempotency.writeOnce(claim, async (tx) => {
        try {
          // Sharded: the id names a logical shard; unsharded: NULL, AUTO_INCREMENT's.
          const id = app.shards === undefined ? null : await nextId(tx, newUserShard());
          const inserted = await tx.write(
            'INSERT INTO users (id, username, password_hash) VALUES (?, ?, ?)',
            [id, username, hash],
          );
          return { statusCode: 201, body: { id: idToJson(id ?? inserted.insertId), username } };
        } catch (error) {
          if ((error as { code?: string }).code === 'ER_DUP_ENTRY') {
            throw new HttpError(409, 'WEB_ERR_USERNAME_TAKEN', 'that username is taken');
          }
          throw error;
        }
      });
      markWrite(request, reply, options.reads, result.gtid);
      const missed = (server: string, error: unknown) =>
        request.log.warn({ err: error, server }, 'copy of the user not written; its writes will');
      await ensureShardUser(app, BigInt(result.body.id), username, missed).catch((error: unknown) =>
        request.log.warn({ err: error }, 'shard copy of the user not written; the login will'),
      );
      return reply.header('x-db', 'primary').code(result.statusCode).send(result.body);
    },
  );

  app.post<{ Body: Credentials }>(
    '/api/sessions',
    {
      config: { access: 'web', ...perMinute(options.loginPerMinute) },
      schema: { body: credentialsBody, response: { 200: userSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const [user] = await app.db.primary.rows<UserRow>(
        'SELECT id, username, password_hash FROM users WHERE username = ?',
        [username],
      );
      const ok = await options.hashGate.run(() => checkLogin(password, user?.password_hash, decoy));
      if (!ok || user === undefined) {
        throw new HttpError(401, 'WEB_ERR_BAD_CREDENTIALS', 'wrong username or password');
      }
      // FEDERATION=on: a function database that is down does not fail the login (its own
      // writes copy the row); a shard does (the user's posts and orders live there).
      await ensureShardUser(app, BigInt(user.id), user.username, (server, error) =>
        request.log.warn({ err: error, server }, 'copy of the user not written; its writes will'),
      );
      await startSession(request, reply, {
        userId: idToJson(user.id),
        username: user.username,
        createdAt: Date.now(),
        cart: {},
        cartToken: newCartToken(),
      });
      return reply
        .header('x-db', 'primary')
        .send({ id: idToJson(user.id), username: user.username });
    },
  );

  app.delete(
    '/api/sessions',
    {
      config: { access: 'web' },
      schema: { response: { 204: { type: 'null' }, ...errorResponses } },
    },
    async (request, reply) => {
      await endSession(request, reply);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/me',
    {
      config: { access: 'web', session: 'required' },
      schema: {
        response: {
          200: {
            type: 'object',
            properties: {
              id: idValue,
              username: { type: 'string' },
              server: { type: 'string' },
              sessionAgeSeconds: { type: 'number' },
              sessionStore: { type: 'string' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { data } = sessionOf(request);
      return {
        id: data.userId,
        username: data.username,
        server: options.serverId,
        sessionAgeSeconds: Math.round((Date.now() - data.createdAt) / 100) / 10,
        sessionStore: app.sessions.kind,
      };
    },
  );
}

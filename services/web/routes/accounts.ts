/**
 * Sign-up, login, logout and "who am I". Logins always check a password hash, even for unknown
 * users (against a decoy), so timing does not reveal which usernames exist, and always start a new
 * session id.
 */
import type { FastifyInstance } from 'fastify';
import type { Row } from '../../shared/db/target.ts';
import { HttpError } from '../../shared/http-error.ts';
import { checkLogin, hashPassword } from '../auth/password.ts';
import { requestDigest, writeOnce } from '../db/idempotency.ts';
import { endSession, sessionOf, startSession } from '../plugins/sessions.ts';
import {
  type Credentials,
  credentialsBody,
  errorResponses,
  type IdempotencyHeaders,
  idempotencyHeaders,
  userSchema,
} from './schemas.ts';

export interface AccountOptions {
  readonly passwordCost: number;
  readonly serverId: string;
}

interface UserRow extends Row {
  id: number;
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
      config: { access: 'web' },
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
      const hash = await hashPassword(password, options.passwordCost);
      const result = await writeOnce(app.db.primary, claim, async (tx) => {
        try {
          const inserted = await tx.write(
            'INSERT INTO users (username, password_hash) VALUES (?, ?)',
            [username, hash],
          );
          return { statusCode: 201, body: { id: inserted.insertId, username } };
        } catch (error) {
          if ((error as { code?: string }).code === 'ER_DUP_ENTRY') {
            throw new HttpError(409, 'WEB_ERR_USERNAME_TAKEN', 'that username is taken');
          }
          throw error;
        }
      });
      return reply.header('x-db', 'primary').code(result.statusCode).send(result.body);
    },
  );

  app.post<{ Body: Credentials }>(
    '/api/sessions',
    {
      config: { access: 'web' },
      schema: { body: credentialsBody, response: { 200: userSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const [user] = await app.db.primary.rows<UserRow>(
        'SELECT id, username, password_hash FROM users WHERE username = ?',
        [username],
      );
      if (!(await checkLogin(password, user?.password_hash, decoy)) || user === undefined) {
        throw new HttpError(401, 'WEB_ERR_BAD_CREDENTIALS', 'wrong username or password');
      }
      await startSession(request, reply, {
        userId: user.id,
        username: user.username,
        createdAt: Date.now(),
        cart: {},
      });
      return reply.header('x-db', 'primary').send({ id: user.id, username: user.username });
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
              id: { type: 'integer' },
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

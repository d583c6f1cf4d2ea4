/**
 * Login sessions: an opaque random id in an HttpOnly, SameSite=Lax cookie (Secure when the client
 * reached us over TLS), the data in the configured store. Only routes that declare `session` load
 * it; a malformed or unknown cookie is simply no session.
 */
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../../shared/http-error.ts';
import { isSessionId, newSessionId } from '../sessions/session-id.ts';
import type { SessionChange, SessionData, SessionStore } from '../sessions/store.ts';

export const SESSION_COOKIE = 'sid';

declare module 'fastify' {
  interface FastifyInstance {
    sessions: SessionStore;
    sessionTtlSeconds: number;
  }
  interface FastifyRequest {
    session: SessionData | undefined;
    sessionId: string | undefined;
  }
}

export interface SessionOptions {
  readonly store: SessionStore;
  readonly ttlSeconds: number;
}

/** The session of a route declared `session: 'required'` (the hook has answered 401 otherwise). */
export function sessionOf(request: FastifyRequest): { id: string; data: SessionData } {
  if (request.session === undefined || request.sessionId === undefined) {
    throw new HttpError(401, 'WEB_ERR_NOT_LOGGED_IN', 'log in first');
  }
  return { id: request.sessionId, data: request.session };
}

async function sessionsPlugin(
  app: FastifyInstance,
  { store, ttlSeconds }: SessionOptions,
): Promise<void> {
  await app.register(cookie);
  app.decorate('sessions', store);
  app.decorate('sessionTtlSeconds', ttlSeconds);
  app.decorateRequest('session', undefined);
  app.decorateRequest('sessionId', undefined);
  app.addHook('onClose', () => store.close());

  app.addHook('preHandler', async (request) => {
    const mode = request.routeOptions.config.session;
    if (mode === undefined) return;
    const id = request.cookies[SESSION_COOKIE];
    if (isSessionId(id)) {
      const data = await store.get(id);
      if (data !== undefined) {
        request.session = data;
        request.sessionId = id;
      }
    }
    if (mode === 'required' && request.session === undefined) {
      throw new HttpError(401, 'WEB_ERR_NOT_LOGGED_IN', 'log in first');
    }
  });
}

const cookieOptions = (request: FastifyRequest) => ({
  path: '/',
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: request.protocol === 'https',
});

/** Starts a new session (always a new id: no session fixation) and sets its cookie. */
export async function startSession(
  request: FastifyRequest,
  reply: FastifyReply,
  data: SessionData,
): Promise<void> {
  const { sessions: store, sessionTtlSeconds: ttlSeconds } = request.server;
  const previous = request.cookies[SESSION_COOKIE];
  if (isSessionId(previous)) await store.destroy(previous);
  const id = newSessionId();
  await store.set(id, data, ttlSeconds);
  request.session = data;
  request.sessionId = id;
  reply.setCookie(SESSION_COOKIE, id, { ...cookieOptions(request), maxAge: ttlSeconds });
}

/**
 * Changes the request's session atomically (SessionStore.update: `change` may run more than once)
 * and returns the change's result; 401 when the session is gone meanwhile (logged out elsewhere).
 */
export async function updateSession<R>(
  request: FastifyRequest,
  change: (data: SessionData) => SessionChange<R>,
): Promise<R> {
  const { id } = sessionOf(request);
  const { sessions, sessionTtlSeconds } = request.server;
  const landed = await sessions.update(id, change, sessionTtlSeconds);
  if (landed === undefined) throw new HttpError(401, 'WEB_ERR_NOT_LOGGED_IN', 'log in first');
  request.session = landed.data;
  return landed.result;
}

/** Deletes the session from the store and clears the cookie. */
export async function endSession(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const id = request.cookies[SESSION_COOKIE];
  if (isSessionId(id)) await request.server.sessions.destroy(id);
  request.session = undefined;
  request.sessionId = undefined;
  reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
}

export default fp(sessionsPlugin, { name: 'sessions' });

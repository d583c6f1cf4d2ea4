/**
 * Protection for expensive endpoints and an overloaded process:
 * - per-client rate limits (@fastify/rate-limit) for the routes that opt in with
 *   `config.rateLimit` (sign-up, login: see `perMinute`). Counted in Redis when the app has it,
 *   so every server shares one count per client (fixed one-minute windows); otherwise in this
 *   process. The client is `request.ip`: behind the LB the X-Forwarded-For address, believed only
 *   from TRUST_PROXY hosts. A store failure lets the request through (fail open): the limits
 *   guard capacity, and the password work is bounded separately (auth/hash-gate.ts).
 * - event-loop pressure (@fastify/under-pressure): while the mean event-loop delay is over
 *   PRESSURE_MAX_EVENT_LOOP_DELAY_MS every route except health and metrics answers 503 at once.
 * Both answer with Retry-After.
 */
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../../shared/http-error.ts';

/** A route's `config.rateLimit` for `max` requests a minute per client; none when 0 (off). */
export const perMinute = (max: number) =>
  max > 0 ? { rateLimit: { max, timeWindow: 60_000 } } : {};

/** Rate limits; registered before the routes (it attaches itself to routes as they are added). */
async function rateLimits(app: FastifyInstance, options: { namespace: string }): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    ...(app.hasDecorator('redis') ? { redis: app.redis } : {}),
    nameSpace: `rl:${options.namespace}:`,
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'WEB_ERR_RATE_LIMITED', `too many requests, retry in ${context.after}`, {
        'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))),
      }),
  });
}

/**
 * under-pressure samples the event loop every second from its registration, so the first sample
 * after start-up carries the start-up's own blocking work (schema compilation on ready): its
 * verdicts count only once a clean sample has been taken after the server became ready.
 */
const WARM_UP_MS = 2500;

/** Pressure shedding, registered after the routes; 0 disables it. */
async function pressure(
  app: FastifyInstance,
  options: { maxEventLoopDelayMs: number },
): Promise<void> {
  if (options.maxEventLoopDelayMs === 0) return;
  let readyAt: number | undefined;
  app.addHook('onReady', async () => {
    readyAt = performance.now();
  });
  await app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    pressureHandler: async (request) => {
      if (request.routeOptions.config.access === 'public') return;
      if (readyAt === undefined || performance.now() - readyAt < WARM_UP_MS) return;
      throw new HttpError(
        503,
        'WEB_ERR_OVERLOADED',
        'the server is overloaded, try again shortly',
        {
          'retry-after': '1',
        },
      );
    },
  });
}

export const rateLimitPlugin = fp(rateLimits, { name: 'rate-limits' });
export const pressurePlugin = fp(pressure, { name: 'pressure' });

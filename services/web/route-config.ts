/**
 * Per-route settings read by the plugins:
 * - `access`: which web pools serve the route (ROLE=read serves `read`, ROLE=write serves `write`,
 *   ROLE=all serves everything; `public` routes such as health and metrics are served by all);
 * - `session`: whether the route loads the login session (`required` answers 401 without one).
 *   Routes without it never touch the session store, so they keep working when Redis is down.
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    access?: 'read' | 'write' | 'web' | 'public';
    session?: 'required' | 'optional';
  }
}

export type Role = 'all' | 'read' | 'write';

/** Whether a server with `role` serves a route marked `access`. Pure. */
export function roleServes(
  role: Role,
  access: 'read' | 'write' | 'web' | 'public' | undefined,
): boolean {
  if (role === 'all' || access === 'public') return true;
  return access === role;
}

/**
 * One active health check: a fresh TCP connection, `GET <path>`, a deadline. 2xx and 3xx pass
 * (HAProxy's rule); anything else, a refused connection or the deadline failing it. A server that
 * answers with `X-Draining: true` (the web servers' readiness while they shut down) is leaving on
 * purpose, like Envoy's immediate health-check failure: it is taken out at once and not used even
 * by a pool in panic.
 */
import { request } from 'node:http';

export interface CheckResult {
  readonly passed: boolean;
  /** HTTP status, or the error code. */
  readonly detail: string;
  readonly durationMs: number;
  /** The server said it is draining. */
  readonly draining: boolean;
}

const DRAINING_HEADER = 'x-draining';

export function runCheck(
  host: string,
  port: number,
  hostHeader: string,
  path: string,
  timeoutMs: number,
): Promise<CheckResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (passed: boolean, detail: string, draining = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ passed, detail, draining, durationMs: Math.round(performance.now() - started) });
    };
    const req = request({
      host,
      port,
      path,
      method: 'GET',
      agent: false,
      headers: { host: hostHeader, 'user-agent': 'scaling-lab-lb/health', connection: 'close' },
    });
    const timer = setTimeout(() => {
      done(false, 'timeout');
      req.destroy();
    }, timeoutMs);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      const draining = res.headers[DRAINING_HEADER] === 'true';
      done(!draining && status >= 200 && status < 400, String(status), draining);
      res.on('error', () => {});
    });
    req.on('error', (err: NodeJS.ErrnoException) => done(false, err.code ?? 'error'));
    req.end();
  });
}

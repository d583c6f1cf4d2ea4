/**
 * The runner's control socket (`<stackDir>/runner.sock`): HTTP over a Unix socket, so `make
 * stop|start|restart SERVICE=…` and tools (control.ts) reach the runner that supervises the stack
 * and the supervisor knows a stop was deliberate. Only the local user can reach it (0600).
 *
 *   GET  /services                      every supervised service's state
 *   POST /services/<name>/stop[?signal=SIGKILL]
 *   POST /services/<name>/start         answers once the service is ready
 *   POST /services/<name>/restart       the same
 *   GET  /pools                         the scaled pools (AUTOSCALE=on) and their members
 *   POST /pools/<pool>/scale?replicas=N starts or stops servers until the pool has N; answers
 *                                       once each new one is ready and routed to by the LB, and
 *                                       each leaving one was dropped by the LB and has exited
 *   POST /pools/<pool>/add | /remove    one server more or fewer, the same way
 */
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { MAX_SOCKET_PATH } from '../host/paths.ts';
import type { Output } from '../logs/output.ts';
import type { ServiceStatus, Supervisor } from '../process/supervision/supervisor.ts';
import type { PoolScaler, ScaleResult } from '../scaling/pool-scaler.ts';

export interface ControlSocket {
  close(): Promise<void>;
}

const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  STACK_ERR_UNKNOWN_SERVICE: 404,
  STACK_ERR_STOPPING: 409,
  STACK_ERR_NOT_SCALED: 404,
  STACK_ERR_BAD_REPLICAS: 400,
};

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

async function act(
  supervisor: Supervisor,
  name: string,
  verb: string,
  signal: string | null,
): Promise<ServiceStatus> {
  if (verb === 'stop')
    return supervisor.stop(name, { signal: signal === 'SIGKILL' ? 'SIGKILL' : 'SIGTERM' });
  if (verb === 'start') return supervisor.start(name);
  return supervisor.restart(name);
}

function poolAction(
  scaler: PoolScaler,
  pool: string,
  verb: string,
  replicas: string | null,
): Promise<ScaleResult> | undefined {
  if (verb === 'add') return scaler.step(pool, 1);
  if (verb === 'remove') return scaler.step(pool, -1);
  if (verb !== 'scale') return undefined;
  const n = replicas !== null && /^\d{1,3}$/.test(replicas) ? Number(replicas) : Number.NaN;
  return scaler.scaleTo(pool, n);
}

function answer(res: ServerResponse, work: Promise<unknown>): void {
  work.then(
    (body) => send(res, 200, body),
    (error: unknown) => {
      const code = (error as { code?: unknown }).code;
      const known = typeof code === 'string' ? code : 'STACK_ERR_START_FAILED';
      send(res, STATUS_OF_CODE[known] ?? 500, {
        error: (error as Error).message ?? String(error),
        code: known,
      });
    },
  );
}

/** Listens on `socketPath`; resolves once it does (or at once, with a warning, if it cannot). */
export async function serveControl(
  socketPath: string,
  supervisor: Supervisor,
  out: Output,
  scaler?: PoolScaler,
): Promise<ControlSocket> {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    out.say('warn', 'no control socket: the stack directory path is too long', {
      path: socketPath,
    });
    return { close: async () => undefined };
  }
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://runner');
    const parts = url.pathname.split('/').filter((p) => p !== '');
    if (req.method === 'GET' && url.pathname === '/services') {
      send(res, 200, { services: supervisor.names().map((n) => supervisor.status(n)) });
      return;
    }
    const [root, name, verb] = parts;
    if (req.method === 'GET' && url.pathname === '/pools') {
      send(res, 200, { pools: scaler?.pools() ?? [] });
      return;
    }
    if (req.method === 'POST' && root === 'pools' && name !== undefined && parts.length === 3) {
      const work =
        scaler && verb
          ? poolAction(scaler, name, verb, url.searchParams.get('replicas'))
          : undefined;
      if (work !== undefined) {
        req.resume();
        answer(res, work);
        return;
      }
    }
    if (
      req.method !== 'POST' ||
      root !== 'services' ||
      name === undefined ||
      parts.length !== 3 ||
      (verb !== 'stop' && verb !== 'start' && verb !== 'restart')
    ) {
      send(res, 404, { error: 'no such command', code: 'STACK_ERR_NO_COMMAND' });
      return;
    }
    req.resume();
    answer(res, act(supervisor, name, verb, url.searchParams.get('signal')));
  });
  // A start waits for readiness (up to the ready timeout): no request timeout here.
  server.requestTimeout = 0;
  rmSync(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        rmSync(socketPath, { force: true });
      }),
  };
}

/**
 * Stopping, starting or restarting one service of a running native stack from code (drills,
 * tests, the CLI's `stop|start|restart`): asks the runner that supervises the stack over its
 * control socket, so a deliberate stop stays a stop. Each call resolves when the action completed
 * and, for start and restart, the service is ready; it rejects with the runner's message.
 */
import { request } from 'node:http';
import { stackPaths } from '../host/paths.ts';
import type { ServiceStatus } from '../process/supervision/supervisor.ts';
import type { PoolState, ScaleResult } from '../scaling/pool-scaler.ts';
import { tryReadStackFile } from './status.ts';

export type { ServiceStatus };

export class ControlError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ControlError';
    this.code = code;
  }
}

export interface ControlOptions {
  /** How long to wait for the runner's answer (default 180 s: a MariaDB start can be slow). */
  readonly timeoutMs?: number;
}

function socketOf(stackFile: string): string {
  const info = tryReadStackFile(stackFile);
  if (info === undefined)
    throw new ControlError('STACK_ERR_NOT_RUNNING', `no running stack: ${stackFile} is missing`);
  return stackPaths(info.stackDir).controlSocket;
}

function call(
  stackFile: string,
  method: 'GET' | 'POST',
  path: string,
  options: ControlOptions,
): Promise<unknown> {
  const socketPath = socketOf(stackFile);
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, method, path, timeout: options.timeoutMs ?? 180_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          let body: { error?: string; code?: string } = {};
          try {
            body = JSON.parse(text) as typeof body;
          } catch {
            // not JSON: reported below by status
          }
          if (res.statusCode === 200) resolve(body);
          else
            reject(
              new ControlError(
                body.code ?? 'STACK_ERR_CONTROL',
                body.error ?? `the runner answered ${res.statusCode}`,
              ),
            );
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from the runner in time (${path})`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED')
        reject(
          new ControlError(
            'STACK_ERR_NO_RUNNER',
            `no runner supervises this stack (${socketPath}): it was killed, or the stack is down; \`make down && make local\` starts it again`,
          ),
        );
      else reject(error);
    });
    req.end();
  });
}

const verb = (stackFile: string, name: string, what: string, options: ControlOptions, q = '') =>
  call(
    stackFile,
    'POST',
    `/services/${encodeURIComponent(name)}/${what}${q}`,
    options,
  ) as Promise<ServiceStatus>;

/** Stops `name` on purpose (it stays stopped). `signal: 'SIGKILL'` kills it like a crash would. */
export function stopService(
  stackFile: string,
  name: string,
  options: ControlOptions & { readonly signal?: 'SIGTERM' | 'SIGKILL' } = {},
): Promise<ServiceStatus> {
  return verb(stackFile, name, 'stop', options, options.signal ? `?signal=${options.signal}` : '');
}

/** Starts a stopped or failed service; resolves once it is ready. */
export function startService(
  stackFile: string,
  name: string,
  options: ControlOptions = {},
): Promise<ServiceStatus> {
  return verb(stackFile, name, 'start', options);
}

/** Stops then starts `name`; resolves once it is ready again. */
export function restartService(
  stackFile: string,
  name: string,
  options: ControlOptions = {},
): Promise<ServiceStatus> {
  return verb(stackFile, name, 'restart', options);
}

/** The scaled pools (AUTOSCALE=on) and the servers in each one's member file. */
export async function scaledPools(
  stackFile: string,
  options: ControlOptions = {},
): Promise<readonly PoolState[]> {
  const body = (await call(stackFile, 'GET', '/pools', options)) as { pools: PoolState[] };
  return body.pools;
}

/**
 * Starts or stops web servers of `pool` until it has `replicas`: resolves once every new one is
 * ready and in the LB's rotation, and every leaving one was dropped by the LB and has exited.
 */
export function scalePool(
  stackFile: string,
  pool: string,
  replicas: number,
  options: ControlOptions = {},
): Promise<ScaleResult> {
  return call(
    stackFile,
    'POST',
    `/pools/${encodeURIComponent(pool)}/scale?replicas=${replicas}`,
    options,
  ) as Promise<ScaleResult>;
}

/** Every supervised service's state, pid and restart count, as the runner sees them now. */
export async function serviceStates(
  stackFile: string,
  options: ControlOptions = {},
): Promise<readonly ServiceStatus[]> {
  const body = (await call(stackFile, 'GET', '/services', options)) as {
    services: ServiceStatus[];
  };
  return body.services;
}

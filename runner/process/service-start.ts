/**
 * Starting one planned instance: prepare its folder, launch it (inside its box's cgroup when
 * quotas are enforced), and wait until a real probe says it is ready, or fail early if it exits.
 * A one-shot service (setup) is ready when it exits 0.
 */
import { isMariadb } from '../../services/shared/topology/addresses.ts';
import { type PlannedService, STACK_CONSTANTS } from '../../services/shared/topology/plan.ts';
import { waitUntil } from '../../services/shared/wait-until.ts';
import { type Boxes, boxProcsFile } from '../host/boxes.ts';
import { prepareFolders, prepareMysql } from '../host/data-dirs.ts';
import { instancePaths } from '../host/paths.ts';
import {
  probeHttp,
  probeMemcached,
  probeMysql,
  probeRedis,
  probeS3,
  probeTls,
} from '../host/probes.ts';
import { lastLines } from '../logs/tail.ts';
import { inCgroup, type LaunchContext, launchSpec } from '../plan/launch-spec.ts';
import { type Launched, launch } from './launch.ts';

export class StartError extends Error {
  readonly code: string;
  readonly service: string;
  constructor(code: string, service: string, message: string) {
    super(message);
    this.name = 'StartError';
    this.code = code;
    this.service = service;
  }
}

export interface StartContext {
  readonly launch: LaunchContext;
  readonly boxes: Boxes;
  readonly waves: ReadonlyMap<string, number>;
  readonly readyTimeoutMs: number;
  readonly mysqlTemplate: () => Promise<string>;
  readonly secret: (name: 'mysql-root-password' | 's3-secret-access-key') => string;
  readonly signal: AbortSignal;
  /** Called right before launch, with the log file, so the terminal can follow it. */
  readonly onLog: (name: string, file: string) => void;
}

function probeFor(s: PlannedService, ctx: StartContext): (() => Promise<unknown>) | undefined {
  const port = (name: keyof PlannedService['ports']) => s.ports[name] ?? 0;
  if (isMariadb(s.kind))
    return () => probeMysql(s.host, port('mysql'), 'root', ctx.secret('mysql-root-password'));
  switch (s.kind) {
    case 'redis':
      return () => probeRedis(s.host, port('redis'));
    case 'memcached':
      return () => probeMemcached(s.host, port('memcached'));
    case 's3':
      return () =>
        probeS3({
          endpoint: `http://${s.host}:${port('s3')}`,
          region: STACK_CONSTANTS.s3Region,
          accessKeyId: STACK_CONSTANTS.s3AccessKeyId,
          secretAccessKey: ctx.secret('s3-secret-access-key'),
        });
    case 'web':
      return () => probeHttp(`http://${s.host}:${port('http')}/health/ready`);
    case 'worker':
      return () => probeHttp(`http://${s.host}:${port('metrics')}/health/ready`);
    case 'lb':
      return () => probeTls(s.host, port('https'));
    case 'cdn':
      // Its public listener speaks HTTPS (and listens first); readiness is on the admin one.
      return () => probeHttp(`http://${s.host}:${port('admin')}/health/ready`);
    case 'fault-proxy':
      return () => probeHttp(`http://${s.host}:${port('admin')}/health/ready`);
    case 'autoscaler':
    case 'db-monitor':
      return () => probeHttp(`http://${s.host}:${port('metrics')}/health/ready`);
    case 'setup':
      return undefined;
  }
}

function failure(s: PlannedService, stackDir: string, code: string, what: string): StartError {
  const log = instancePaths(stackDir, s.name).log;
  const tail = lastLines(log, 8).map((l) => `    ${l}`);
  return new StartError(code, s.name, [`${s.name}: ${what} (log: ${log})`, ...tail].join('\n'));
}

/** Starts `s` and resolves once it is ready; the launched process is reported through `started`. */
export async function startService(
  s: PlannedService,
  ctx: StartContext,
  started: (launched: Launched) => void,
): Promise<void> {
  ctx.signal.throwIfAborted();
  if (isMariadb(s.kind))
    await prepareMysql(
      s,
      ctx.launch.stackDir,
      ctx.mysqlTemplate(),
      ctx.secret('mysql-root-password'),
    );
  else prepareFolders(s, ctx.launch.stackDir);
  ctx.signal.throwIfAborted();
  const base = launchSpec(s, ctx.launch);
  const procs = boxProcsFile(ctx.boxes, s.box);
  const spec = procs === undefined ? base : inCgroup(base, procs);
  ctx.onLog(s.name, instancePaths(ctx.launch.stackDir, s.name).log);
  const launched = await launch(spec, ctx.launch.stackDir, {
    name: s.name,
    kind: s.kind,
    wave: ctx.waves.get(s.name) ?? 0,
  });
  started(launched);
  const exitedEarly = launched.exited.then((exit) => {
    if (s.oneShot && exit.code === 0) return;
    throw failure(
      s,
      ctx.launch.stackDir,
      s.oneShot ? 'STACK_ERR_SETUP_FAILED' : 'STACK_ERR_EXITED',
      `exited during start-up (code ${exit.code}, signal ${exit.signal})`,
    );
  });
  const probe = probeFor(s, ctx);
  if (probe === undefined) {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        exitedEarly,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                failure(s, ctx.launch.stackDir, 'STACK_ERR_TIMEOUT', 'did not finish in time'),
              ),
            ctx.readyTimeoutMs,
          );
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    return;
  }
  const ready = waitUntil(probe, {
    what: s.name,
    timeoutMs: ctx.readyTimeoutMs,
    intervalMs: 150,
    signal: ctx.signal,
  }).catch((error: unknown) => {
    if (ctx.signal.aborted) throw error;
    throw failure(
      s,
      ctx.launch.stackDir,
      'STACK_ERR_TIMEOUT',
      `not ready: ${(error as Error).message}`,
    );
  });
  await Promise.race([ready, exitedEarly]);
  // A later exit is the supervisor's business, not a start-up failure.
  exitedEarly.catch(() => undefined);
}

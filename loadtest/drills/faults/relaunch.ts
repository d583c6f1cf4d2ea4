/**
 * Starting a killed service again the way the runner started it, for stacks whose runner does not
 * restart it: the command line, environment and directory are read from /proc before the kill,
 * (a server that rewrote its title there, as redis-server does, gets the runner's own command line
 * for it from the stack's plan), the new process is put in the same CPU box, and its pid record is rewritten so `make down`
 * stops it like any other.
 */
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  openSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { findBinaries } from '../../../runner/host/binaries.ts';
import { boxProcsFile } from '../../../runner/host/boxes.ts';
import { instancePaths } from '../../../runner/host/paths.ts';
import { findRepoDir } from '../../../runner/host/repo-dir.ts';
import { launchSpec } from '../../../runner/plan/launch-spec.ts';
import { bootId, startTimeOf } from '../../../runner/process/proc.ts';
import { readRecord } from '../../../runner/process/records.ts';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';
import type { StackFile, StackService } from '../stack.ts';

export interface Launch {
  readonly argv: string[];
  readonly env: Record<string, string>;
  readonly cwd: string;
}

/** The runner's command line for `service`, from the plan of the stack's flags. */
function plannedArgv(stack: StackFile, service: StackService, path: string): string[] {
  const addressing = {
    mode: 'native',
    portBase: stack.portBase,
    stackDir: stack.stackDir,
  } as const;
  const planned = planStack(resolveFlags(stack.flags), addressing).services.find(
    (s) => s.name === service.name,
  );
  if (planned === undefined) throw new Error(`${service.name} is not in the stack's plan`);
  const spec = launchSpec(planned, {
    repoDir: findRepoDir(),
    stackDir: stack.stackDir,
    isRoot: process.getuid?.() === 0,
    node: process.execPath,
    binaries: findBinaries(path, new Set()),
    logLevel: 'info',
    baseEnv: {},
  });
  return [spec.command, ...spec.args];
}

export function launchOf(stack: StackFile, service: StackService, pid: number): Launch {
  let argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    .split('\0')
    .filter((a) => a !== '');
  const env: Record<string, string> = {};
  for (const pair of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const at = pair.indexOf('=');
    if (at > 0) env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  if (argv.length === 1 && argv[0]?.includes(' '))
    argv = plannedArgv(stack, service, env.PATH ?? '');
  return { argv, env, cwd: readlinkSync(`/proc/${pid}/cwd`) };
}

/** Starts `launch` again for `service`; returns the new pid. */
export function relaunch(stack: StackFile, service: StackService, launch: Launch): number {
  const log = openSync(service.logFile, 'a');
  let pid: number | undefined;
  try {
    const [command = '', ...args] = launch.argv;
    const child = spawn(command, args, {
      cwd: launch.cwd,
      env: launch.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    child.once('error', () => undefined); // no pid then: reported below
    child.unref();
    pid = child.pid;
  } finally {
    closeSync(log);
  }
  if (pid === undefined) throw new Error(`${service.name}: no pid after spawn`);
  const procs = boxProcsFile(stack.boxes, service.box);
  if (procs !== undefined) {
    try {
      appendFileSync(procs, `${pid}\n`);
    } catch {
      // the box is gone (a stack started without CPU limits): run unboxed
    }
  }
  const file = instancePaths(stack.stackDir, service.name).pidFile;
  const old = readRecord(file);
  const record = {
    name: service.name,
    kind: old?.kind ?? service.kind,
    wave: old?.wave ?? 0,
    pid,
    startTime: startTimeOf(pid) ?? '0',
    bootId: bootId(),
  };
  writeFileSync(file, `${JSON.stringify(record)}\n`);
  return pid;
}

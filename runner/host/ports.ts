/**
 * Probing ports: every address a stack needs must be free before anything starts (a clear error
 * otherwise), and tests get a port base whose every address is free, reserved with a lock file
 * so concurrent test runs do not pick the same one.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StackPlan } from '../../services/shared/topology/plan.ts';
import { candidateBases, type Endpoint, endpoints, portTakenMessage } from '../plan/port-plan.ts';
import { processRunning } from '../process/proc.ts';

export class PortsTakenError extends Error {
  readonly code = 'STACK_ERR_PORT_TAKEN';
  readonly taken: readonly Endpoint[];
  constructor(taken: readonly Endpoint[], base: number) {
    super(portTakenMessage(taken, base));
    this.name = 'PortsTakenError';
    this.taken = taken;
  }
}

/** True when something could listen on host:port right now. */
export function isFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function takenEndpoints(list: readonly Endpoint[]): Promise<Endpoint[]> {
  const free = await Promise.all(list.map((e) => isFree(e.host, e.port)));
  return list.filter((_, i) => !free[i]);
}

export async function checkPortsFree(plan: StackPlan, base: number): Promise<void> {
  const taken = await takenEndpoints(endpoints(plan));
  if (taken.length > 0) throw new PortsTakenError(taken, base);
}

export interface PortBaseLease {
  readonly base: number;
  release(): void;
}

const lockFile = (base: number) => join(tmpdir(), `scaling-lab-port-base-${base}.lock`);

function tryLock(base: number): boolean {
  const file = lockFile(base);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch {
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(file, 'utf8'));
      } catch {
        // vanished meanwhile: try again
      }
      if (Number.isInteger(holder) && holder > 0 && processRunning(holder)) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

/**
 * Finds a port base where every address the plan for that base needs is free, and reserves it for
 * this process until `release()`.
 */
export async function findFreePortBase(
  planFor: (base: number) => StackPlan,
  random: () => number = Math.random,
): Promise<PortBaseLease> {
  for (const base of candidateBases(random)) {
    if (!tryLock(base)) continue;
    const taken = await takenEndpoints(endpoints(planFor(base)));
    if (taken.length === 0) return { base, release: () => rmSync(lockFile(base), { force: true }) };
    rmSync(lockFile(base), { force: true });
  }
  throw new Error(
    'STACK_ERR_NO_FREE_PORTS: no port base between 10000 and 31000 has every port free',
  );
}

/**
 * Which addresses a planned stack needs, how a taken one is reported, and which port bases to try
 * when a test needs a stack on free ports. Pure.
 */
import type { StackPlan } from '../../services/shared/topology/plan.ts';
import { MAX_PORT_BASE } from './config.ts';

export interface Endpoint {
  readonly service: string;
  readonly portName: string;
  readonly host: string;
  readonly port: number;
}

export function endpoints(plan: StackPlan): Endpoint[] {
  return plan.services.flatMap((s) =>
    Object.entries(s.ports)
      .filter((entry): entry is [string, number] => entry[1] !== undefined)
      .map(([portName, port]) => ({ service: s.name, portName, host: s.host, port })),
  );
}

export function portTakenMessage(taken: readonly Endpoint[], base: number): string {
  const lines = taken.map(
    (e) => `  - ${e.host}:${e.port} (${e.service}, ${e.portName} port) is already in use`,
  );
  const other = base + 1000 <= MAX_PORT_BASE ? base + 1000 : base - 1000;
  return [
    `ports needed by the stack are taken (STACK_PORT_BASE=${base}):`,
    ...lines,
    `stop whatever listens there, or pick another base, e.g. STACK_PORT_BASE=${other} make local`,
  ].join('\n');
}

/**
 * Port bases to try, in a random order, so that stacks started at the same time by different
 * test runs rarely probe the same base first. Bases stay below the Linux ephemeral range
 * (32768+) so outgoing connections never take a stack port.
 */
export function candidateBases(random: () => number, min = 10_000, max = 31_000, step = 1000) {
  const bases: number[] = [];
  for (let b = min; b <= max; b += step) bases.push(b);
  for (let i = bases.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [bases[i], bases[j]] = [bases[j] as number, bases[i] as number];
  }
  return bases;
}

/**
 * AUTOSCALE=on in the plan, pure: which web pools are scaled, how many servers each starts with
 * (its replicas flag clamped to AUTOSCALE_MIN–AUTOSCALE_MAX), and, natively, where each pool's
 * member file lives. Natively every pool gets AUTOSCALE_MAX planned slots (addresses, ports and
 * boxes); the ones above the starting size are standby until the autoscaler asks the runner for
 * them. The LB reads a scaled pool from its member file, which the runner rewrites.
 */
import { join } from 'node:path';
import type { Flags } from '../config/flags.ts';
import { WEB_POOLS, type WebPool } from './addresses.ts';

const replicasOf = (flags: Flags, pool: WebPool): number =>
  pool === 'web'
    ? flags.webReplicas
    : pool === 'read-api'
      ? flags.readApiReplicas
      : flags.writeApiReplicas;

/** The pools the autoscaler scales: every web pool the flags run (none with AUTOSCALE=off). */
export function scaledPools(flags: Flags): WebPool[] {
  if (flags.autoscale !== 'on') return [];
  return WEB_POOLS.filter((pool) => replicasOf(flags, pool) > 0);
}

/** Servers a pool starts with: its replicas flag, clamped to the autoscaler's bounds when on. */
export function startingSize(flags: Flags, pool: WebPool): number {
  const replicas = replicasOf(flags, pool);
  if (flags.autoscale !== 'on' || replicas === 0) return replicas;
  return Math.min(flags.autoscaleMax, Math.max(flags.autoscaleMin, replicas));
}

/** Planned instances of a pool natively: every slot the autoscaler may fill. */
export function plannedSlots(flags: Flags, pool: WebPool): number {
  return scaledPools(flags).includes(pool) ? flags.autoscaleMax : replicasOf(flags, pool);
}

/** Natively: the member list of a scaled pool, read by the LB and rewritten by the runner. */
export const memberFile = (stackDir: string, pool: WebPool): string =>
  join(stackDir, 'pools', `${pool}.members`);

/** The member file's text: one `host:port` per line, after a comment saying who writes it. */
export function memberFileText(pool: WebPool, members: readonly string[]): string {
  return [
    `# ${pool}: servers in rotation, written by the runner (AUTOSCALE=on); the LB re-reads it`,
    ...members,
    '',
  ].join('\n');
}

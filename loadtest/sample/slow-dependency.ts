/**
 * A slow dependency: the web servers wait long for the database's answers although its CPU is not
 * busy (the time goes to the link, a slow disk, locks). Invisible to CPU utilisation, so it is
 * judged from the statement time the web servers measure (db_query_duration_seconds), per
 * database server. Pure.
 */
import { growth, QUERY_COUNT, QUERY_SUM } from './series.ts';
import type { Finding, UseInput } from './use-types.ts';

/** An average statement this slow counts as a saturated dependency (score 1). */
export const SLOW_STATEMENT_MS = 25;
/** Above this CPU utilisation the database's own box explains its slowness (the box finding). */
const BUSY_DEPENDENCY = 0.5;
/**
 * Above this score (CPU against its quota, or event-loop delay: a machine with no core to spare
 * starves a box below its quota), a web box is starved and the statement times it measures
 * include its own lateness.
 */
const STARVED_WEB = 0.85;

export const SLOW_DEPENDENCY_STEP =
  'the database answers slowly though its CPU is idle: the time goes to the link or its waits (network latency, disk, locks); check the path to it, and call it less (CACHE=memcached, READ_FROM=replicas)';

export function slowDependencyFindings(input: UseInput, boxes: readonly Finding[]): Finding[] {
  const webs = input.components.filter((c) => c.kind === 'web');
  const totals = new Map<string, { sum: number; count: number }>();
  for (const web of webs) {
    const keys = new Set(input.readings.flatMap((r) => Object.keys(r.values[web.name] ?? {})));
    for (const key of keys) {
      if (!key.startsWith(QUERY_SUM)) continue;
      const target = key.slice(QUERY_SUM.length);
      const t = totals.get(target) ?? { sum: 0, count: 0 };
      t.sum += growth(input.readings, web.name, key);
      t.count += growth(input.readings, web.name, `${QUERY_COUNT}${target}`);
      totals.set(target, t);
    }
  }
  const seconds =
    ((input.readings[input.readings.length - 1]?.atMs ?? 0) - (input.readings[0]?.atMs ?? 0)) /
    1000;
  const starved = boxes
    .filter((b) => b.kind === 'web' && b.score >= STARVED_WEB)
    .sort((a, b) => b.score - a.score)[0];
  const out: Finding[] = [];
  for (const [target, t] of totals) {
    if (t.count === 0) continue;
    const name = input.components.some((c) => c.name === `mysql-${target}`)
      ? `mysql-${target}`
      : target;
    const box = boxes.find((b) => b.component.split(' ')[0] === name);
    const cpu = box?.utilisation ?? 0;
    if (cpu >= BUSY_DEPENDENCY) continue;
    const avgMs = (t.sum / t.count) * 1000;
    const base = Math.min(1.5, avgMs / SLOW_STATEMENT_MS);
    const evidence = [
      `average statement ${avgMs.toFixed(1)} ms as the web servers saw it, over ${(t.count / Math.max(1, seconds)).toFixed(0)} statements/s`,
      `its CPU ${(cpu * 100).toFixed(0)} % busy: it is not working, the answers are waited for`,
    ];
    if (starved)
      evidence.push(
        `${starved.component} is starved (CPU or event-loop delay): part of that time is its own`,
      );
    out.push({
      component: `${name} (slow answers)`,
      kind: 'slow-dependency',
      score: starved ? Math.min(base, starved.score * 0.9) : base,
      utilisation: cpu,
      evidence,
      step: SLOW_DEPENDENCY_STEP,
    });
  }
  return out;
}

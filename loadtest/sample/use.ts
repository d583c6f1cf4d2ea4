/**
 * The USE method over the samples (utilisation, saturation, errors per component) and the verdict:
 * the component closest to saturation, its evidence, and the step from the notes that relieves it.
 * Pure: readings and the stack's boxes in, findings out.
 */
import { gauge, mean, rates } from './series.ts';
import { slowDependencyFindings } from './slow-dependency.ts';
import type { ComponentInfo, Finding, UseInput, Verdict } from './use-types.ts';

export type { ComponentInfo, Finding, UseInput, Verdict };

const STEPS: Readonly<Record<string, string>> = {
  web: 'add web servers behind the LB (STAGE=3, WEB_REPLICAS) or give each a bigger box (BOX_CPUS): horizontal vs vertical scaling',
  pool: 'the web servers queue for database connections: raise DB_POOL_SIZE, then take reads off the database (CACHE=memcached, READ_FROM=replicas)',
  'mysql-primary':
    'the primary is the limit: cache hot reads (CACHE=memcached), send reads to replicas (READ_FROM=replicas); for writes, shard or federate',
  'mysql-replica':
    'the replicas are the limit: add replicas (DB_REPLICAS) or cache hot reads (CACHE=memcached)',
  lb: 'the load balancer is the limit: a bigger LB box (LB_BOX_CPUS) or several LBs behind DNS',
  redis:
    'the session store is the limit: a bigger Redis box (CACHE_BOX_CPUS) or fewer session writes',
  memcached: 'the cache is the limit: a bigger cache box (CACHE_BOX_CPUS) or more memory / servers',
  s3: 'the object store is the limit: serve static objects through the CDN (CDN=on)',
  generator:
    'the load generator is the limit: more WORKERS, or a lighter generator (wrk); the stack was not measured',
};

const pct = (x: number) => `${(x * 100).toFixed(0)} %`;

/** The CPU one process of this kind can use when its box has no quota. */
const naturalCores = (kind: string, machine: number) => (kind.startsWith('mysql') ? machine : 1);

function boxFindings(input: UseInput): Finding[] {
  const byBox = new Map<string, ComponentInfo[]>();
  for (const c of input.components) byBox.set(c.box, [...(byBox.get(c.box) ?? []), c]);
  const out: Finding[] = [];
  for (const [box, members] of byBox) {
    const quota = input.boxCpus[box] ?? null;
    const cpu = members.map((m) => ({
      m,
      cores: mean(rates(input.readings, m.name, 'cpuMs')) / 1000,
    }));
    const used = cpu.reduce((a, c) => a + c.cores, 0);
    if (cpu.every((c) => c.cores === 0)) continue;
    const top = [...cpu].sort((a, b) => b.cores - a.cores)[0]?.m as ComponentInfo;
    const capacity =
      quota ?? Math.min(input.machineCores, naturalCores(top.kind, input.machineCores));
    const utilisation = used / capacity;
    const evidence = [
      `CPU ${used.toFixed(2)} cores of ${quota === null ? `${capacity} (no quota)` : `its ${quota}-CPU box`} (${pct(utilisation)})${members.length > 1 ? `, shared by ${members.map((m) => m.name).join(' + ')}` : ''}`,
    ];
    let score = utilisation;
    const loop = gauge(input.readings, top.name, 'loopP99Ms');
    if (loop.length > 0) {
      const worst = Math.max(...loop);
      evidence.push(`event-loop delay p99 up to ${worst.toFixed(0)} ms`);
      score = Math.max(score, Math.min(1.5, worst / 200));
    }
    const lag = gauge(input.readings, top.name, 'lagSeconds');
    if (lag.length > 0 && Math.max(...lag) > 0) {
      evidence.push(`replica lag up to ${Math.max(...lag)} s`);
      score = Math.max(score, Math.min(1.5, Math.max(...lag) / 5));
    }
    const threads = gauge(input.readings, top.name, 'Threads_running');
    if (threads.length > 0)
      evidence.push(
        `threads running avg ${mean(threads).toFixed(1)}, ${mean(rates(input.readings, top.name, 'Questions')).toFixed(0)} queries/s`,
      );
    out.push({
      component: box === top.name ? top.name : `${top.name} (box ${box})`,
      kind: top.kind,
      score,
      utilisation,
      evidence,
      step: STEPS[top.kind] ?? STEPS.web ?? '',
    });
  }
  return out;
}

function poolFindings(input: UseInput): Finding[] {
  return input.components
    .filter((c) => c.kind === 'web')
    .flatMap((c) => {
      const sums = rates(input.readings, c.name, 'poolWaitSum');
      const counts = rates(input.readings, c.name, 'poolWaitCount');
      const waited = sums.reduce((a, b) => a + b, 0);
      const acquired = counts.reduce((a, b) => a + b, 0);
      if (acquired === 0) return [];
      const avgMs = (waited / acquired) * 1000;
      const inUse = gauge(input.readings, c.name, 'poolInUse');
      const peak = inUse.length ? Math.max(...inUse) : null;
      // A pool is saturated only when every connection is taken; waits below that are the
      // process's own lateness (a starved event loop), not a queue for connections.
      const full = peak === null || peak >= input.dbPoolSize;
      return [
        {
          component: `${c.name} DB pool`,
          kind: 'pool',
          score: full ? Math.min(3, avgMs / 25) : Math.min(0.5, avgMs / 100),
          utilisation: peak === null ? 0 : peak / input.dbPoolSize,
          evidence: [
            `average wait for a connection ${avgMs.toFixed(1)} ms over ${acquired.toFixed(0)} acquisitions/s`,
            ...(peak === null ? [] : [`connections in use up to ${peak} of ${input.dbPoolSize}`]),
            ...(full ? [] : ['the pool was never full: the waits are not a queue for connections']),
          ],
          step: STEPS.pool ?? '',
        },
      ];
    });
}

function lbErrors(input: UseInput): string[] {
  const last = input.readings[input.readings.length - 1];
  const first = input.readings[0];
  if (!last || !first) return [];
  return Object.keys(last.values)
    .filter((k) => k.startsWith('lb→'))
    .map((k) => {
      const d = (key: string) => (last.values[k]?.[key] ?? 0) - (first.values[k]?.[key] ?? 0);
      return `${k}: ${d('requests')} requests, ${d('retries')} retries, ${d('errors5xx')} 5xx`;
    });
}

/**
 * Pool waits are often a symptom. A web server starved of CPU waits long for connections (its
 * event loop runs late); a slow database holds every connection longer. While either holds, the
 * pool's waits rank just below their cause.
 */
function attributePoolWaits(
  boxes: readonly Finding[],
  slow: readonly Finding[],
  pools: readonly Finding[],
): Finding[] {
  const slowest = [...slow].sort((a, b) => b.score - a.score)[0];
  return pools.map((p) => {
    const web = boxes.find(
      (b) => b.kind === 'web' && p.component.startsWith(`${b.component.split(' ')[0]} `),
    );
    if (web !== undefined && web.utilisation >= 0.85)
      return {
        ...p,
        score: Math.min(p.score, web.score * 0.9),
        evidence: [
          ...p.evidence,
          `its web server's box is ${(web.utilisation * 100).toFixed(0)} % busy: the waits follow from that`,
        ],
      };
    if (slowest !== undefined && slowest.score >= 0.8)
      return {
        ...p,
        score: Math.min(p.score, slowest.score * 0.9),
        evidence: [
          ...p.evidence,
          `${slowest.component.split(' ')[0]} answers slowly: the connections are held while waiting for it`,
        ],
      };
    return p;
  });
}

export function analyse(input: UseInput): Verdict {
  const boxes = boxFindings(input);
  const slow = slowDependencyFindings(input, boxes);
  const ranking = [...boxes, ...slow, ...attributePoolWaits(boxes, slow, poolFindings(input))].sort(
    (a, b) => b.score - a.score,
  );
  const machineSaturated = input.machineBusy >= 0.9;
  const notes = lbErrors(input);
  if (machineSaturated)
    notes.push(
      `the whole machine was ${pct(input.machineBusy)} busy: every box competed for the same cores, so this run measures the machine, not the stage`,
    );
  if (!input.generatorTrusted) {
    const generator: Finding = {
      component: 'load generator',
      kind: 'generator',
      score: 2,
      utilisation: 1,
      evidence: ['a generator thread was above 80 % of a core'],
      step: STEPS.generator ?? '',
    };
    return { bottleneck: generator, ranking: [generator, ...ranking], machineSaturated, notes };
  }
  return { bottleneck: ranking[0] ?? null, ranking, machineSaturated, notes };
}

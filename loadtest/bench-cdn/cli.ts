/**
 * `make bench-cdn`: static objects straight from the object store (s3rver) vs through the CDN
 * edge, and the edge against Varnish 7.1 serving the same objects from memory, for two object
 * sizes. wrk (one thread) runs on CPU 0, each target on CPU 1. Per row: req/s, p99, the target's
 * CPU µs per request, origin requests and the generator's own CPU; a row where wrk used ≥ 90 % of
 * its core is marked generator-limited. Ratios: the edge's req/s over Varnish's, and Varnish's CPU
 * µs per request over the edge's (1.0 = as cheap as Varnish; the goal is ≥ 0.5 for both).
 * Options: --seconds N (10) --connections N (50)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cpuMicros } from '../bench-lb/procs.ts';
import { runWrk, type WrkResult } from '../core/wrk.ts';
import { startTargets } from './targets.ts';
import { startVarnish } from './varnish.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    'port-base': { type: 'string', default: '9000' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const base = Number(values['port-base']);
const LOADGEN_CPU = 0;
const TARGET_CPU = 1;
const SIZES = [4 * 1024, 64 * 1024];

interface Row {
  readonly size: number;
  readonly target: string;
  readonly wrk: WrkResult;
  readonly cpuMicrosPerRequest: number;
  readonly targetBusy: number;
  readonly originRequests: number;
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function measure(
  size: number,
  target: string,
  url: string,
  pid: number,
  origin: () => Promise<number> | number,
): Promise<Row> {
  // Origin requests count from before the warm-up, which is what fills the caches.
  const originBefore = await origin();
  await runWrk({ url, cpu: LOADGEN_CPU, connections, seconds: 2 });
  const cpuBefore = cpuMicros(pid);
  const wrk = await runWrk({ url, cpu: LOADGEN_CPU, connections, seconds });
  const cpu = cpuMicros(pid) - cpuBefore;
  return {
    size,
    target,
    wrk,
    cpuMicrosPerRequest: wrk.requests === 0 ? 0 : cpu / wrk.requests,
    targetBusy: cpu / 1e6 / seconds,
    originRequests: (await origin()) - originBefore,
  };
}

const kib = (n: number) => `${n / 1024} KiB`;
const pct = (x: number) => `${Math.round(x * 100)} %`;

function table(rows: readonly Row[]): string {
  const head =
    '| object | target | req/s | p99 ms | CPU µs/req | target CPU | origin requests (with warm-up) | wrk CPU | note |';
  const sep = '|---|---|--:|--:|--:|--:|--:|--:|---|';
  const lines = rows.map((r) => {
    const gen = r.wrk.generatorCpuSeconds / seconds;
    const note = [
      gen >= 0.9 ? 'generator-limited' : '',
      gen < 0.9 && r.targetBusy < 0.6
        ? 'neither side saturated: the shared machine was the limit'
        : '',
      r.wrk.failures > 0 ? `${r.wrk.failures} failures` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return `| ${kib(r.size)} | ${r.target} | ${Math.round(r.wrk.rps)} | ${r.wrk.p99Ms.toFixed(2)} | ${r.cpuMicrosPerRequest.toFixed(1)} | ${pct(r.targetBusy)} | ${r.originRequests} | ${pct(gen)} | ${note} |`;
  });
  return [head, sep, ...lines].join('\n');
}

async function main(): Promise<void> {
  const objects = new Map(
    SIZES.map(
      (size) =>
        [`static/${randomBytes(8).toString('hex')}/bench-${size}.css`, randomBytes(size)] as const,
    ),
  );
  process.stderr.write(`bench-cdn: load average before: ${loadavg()}\n`);
  const targets = await startTargets(
    { store: base + 900, cdn: base + 800, admin: base + 801 },
    TARGET_CPU,
    objects,
  );
  const varnish = await startVarnish(objects, base + 810, TARGET_CPU).catch(
    async (error: unknown) => {
      await targets.stop();
      throw error;
    },
  );
  const rows: Row[] = [];
  try {
    for (const [key, body] of objects) {
      const size = body.length;
      process.stderr.write(`bench-cdn: ${kib(size)} objects\n`);
      rows.push(
        await measure(size, 'store (s3rver)', targets.storeUrl(key), targets.storePid, () => 0),
      );
      const direct = rows.at(-1);
      if (direct !== undefined)
        rows[rows.length - 1] = { ...direct, originRequests: direct.wrk.requests };
      rows.push(
        await measure(size, 'CDN edge', targets.cdnUrl(key), targets.cdnPid, () =>
          targets.cdnOriginFetches(),
        ),
      );
      rows.push(
        await measure(size, 'Varnish 7.1', `${varnish.url}/files/${key}`, varnish.pid, () =>
          varnish.originRequests(),
        ),
      );
    }
  } finally {
    await varnish.stop();
    await targets.stop();
  }
  process.stdout.write(`\n${table(rows)}\n\n`);
  for (const size of SIZES) {
    const of = (t: string) => rows.find((r) => r.size === size && r.target === t);
    const cdn = of('CDN edge');
    const v = of('Varnish 7.1');
    const store = of('store (s3rver)');
    if (!cdn || !v || !store) continue;
    process.stdout.write(
      `${kib(size)}: edge/Varnish req/s ${(cdn.wrk.rps / v.wrk.rps).toFixed(2)}×, ` +
        `CPU efficiency (Varnish µs/req ÷ edge µs/req) ${(v.cpuMicrosPerRequest / cdn.cpuMicrosPerRequest).toFixed(2)}×, ` +
        `edge/store req/s ${(cdn.wrk.rps / store.wrk.rps).toFixed(1)}×, ` +
        `origin requests: ${cdn.originRequests} for the edge's ${cdn.wrk.requests} (saved ${cdn.wrk.requests - cdn.originRequests}; straight at the store every request is one)\n`,
    );
  }
  process.stdout.write(`load average after: ${loadavg()} (2 cores shared with other work)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-cdn: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

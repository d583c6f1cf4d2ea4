/**
 * `make bench-lb`: the LB against HAProxy on this machine (a script, not a test). Two trivial
 * backends; the same load straight at one backend, through HAProxy 2.6 (HTTP and TLS), and through
 * our LB (each engine, HTTP and TLS, one process and N workers), stickiness and
 * metrics on. The load generator runs on CPU 0, each single-process proxy on CPU 1. Prints req/s,
 * p50, p99, CPU µs per request, RSS and the ratio to HAProxy per row, the p99 the LB adds at half
 * its capacity, and the smuggling corpus verdicts of HAProxy and the LB side by side; writes JSON
 * to loadtest/reports/.
 * Options: --seconds N (10) --connections N (50) --workers N (2) --repeat N (2: runs per row, the
 * best kept) --only throughput|corpus|half (half: only the latency at --rate N req/s)
 * --generator wrk|autocannon (wrk when /usr/bin/wrk exists). Every throughput row states the
 * generator's CPU and is marked when the generator was above 80 % of its core.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type CorpusRow, compareCorpus, corpusTable } from './corpus-vs-haproxy.ts';
import {
  defaultGenerator,
  GENERATORS,
  type GeneratorName,
  generatorLimited,
  WRK,
} from './generator.ts';
import type { Started } from './procs.ts';
import { formatTable, type Row } from './report.ts';
import {
  HOST,
  LOADGEN_CPU,
  makeCertificate,
  startBackends,
  startHaproxyProxy,
  startOurLb,
} from './setup.ts';
import { type HalfCapacity, halfCapacity, throughputRows } from './throughput.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    workers: { type: 'string', default: '2' },
    repeat: { type: 'string', default: '2' },
    only: { type: 'string' },
    rate: { type: 'string' },
    generator: { type: 'string' },
  },
});

function checkOptions(): GeneratorName {
  const problems: string[] = [];
  const whole = (name: string, raw: string | undefined, min: number, max: number) => {
    if (raw === undefined) return;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min || v > max)
      problems.push(`--${name}=${raw}: expected an integer from ${min} to ${max}`);
  };
  whole('seconds', values.seconds, 1, 600);
  whole('connections', values.connections, 1, 10_000);
  whole('workers', values.workers, 1, 16);
  whole('repeat', values.repeat, 1, 10);
  whole('rate', values.rate, 1, 1_000_000);
  if (values.only !== undefined && !['throughput', 'corpus', 'half'].includes(values.only))
    problems.push(`--only=${values.only}: expected throughput, corpus or half`);
  const generator = values.generator ?? defaultGenerator();
  if (!(GENERATORS as readonly string[]).includes(generator))
    problems.push(`--generator=${generator}: expected ${GENERATORS.join(' or ')}`);
  else if (generator === 'wrk' && !existsSync(WRK))
    problems.push(`--generator=wrk: ${WRK} is missing (make deps installs it)`);
  if (problems.length > 0) {
    process.stderr.write(`bench-lb: bad options:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(2);
  }
  return generator as GeneratorName;
}

const pct = (share: number): string => `${Math.round(share * 100)} %`;

const halfLine = (h: HalfCapacity): string =>
  [
    `(paced load from this process; its CPU: ${pct(h.generatorBusy)} of its core${h.generatorBusy > 0.8 ? ' — generator-limited' : ''})`,
    `p99 added by the LB (undici, 1 process, HTTP) at ${h.rate} req/s: ${h.addedP99.toFixed(2)} ms`,
    `(median of 3 windows; p50/p99 straight at the backends ${h.directP50.toFixed(2)}/${h.directP99.toFixed(2)} ms,`,
    `through the LB ${h.lbP50.toFixed(2)}/${h.lbP99.toFixed(2)} ms with its core ${pct(h.lbBusy)} busy,`,
    `through HAProxy ${h.haproxyP50.toFixed(2)}/${h.haproxyP99.toFixed(2)} ms with its core ${pct(h.haproxyBusy)} busy)`,
  ].join('\n  ');

function summary(rows: Row[], half: HalfCapacity): string[] {
  const haproxy = rows.find((r) => r.baseline === 'http')?.rps ?? 0;
  const undici = rows.find((r) => r.name === 'LB undici, 1 process, HTTP')?.rps ?? 0;
  const ratio = undici / (haproxy || 1);
  const limited = rows.filter(
    (r) => r.generatorCores !== undefined && generatorLimited(r.generatorCores),
  );
  return [
    ...(limited.length > 0
      ? [
          `generator-limited rows (the generator above 80 % of its core; their req/s is a floor, and a ratio against them is not the target's): ${limited.map((r) => r.name).join('; ')}`,
          '',
        ]
      : []),
    formatTable(rows),
    '',
    halfLine(half),
    `bar: undici single-process HTTP throughput ≥ 0.4 × HAProxy: ${ratio.toFixed(2)} × → ${ratio >= 0.4 ? 'PASS' : 'FAIL'}`,
    `bar: p99 added at half capacity ≤ 2 ms: ${half.addedP99.toFixed(2)} ms → ${half.addedP99 <= 2 ? 'PASS' : 'FAIL'}`,
  ];
}

async function corpusRows(
  dir: string,
  cert: ReturnType<typeof makeCertificate>,
  stops: Started[],
): Promise<CorpusRow[]> {
  const rec = await startBackends(2, 203, true);
  stops.push(...rec.procs);
  const haproxy = await startHaproxyProxy(dir, cert, rec.addresses, false);
  stops.push(haproxy.proc);
  const lb = await startOurLb({
    engine: 'undici',
    tls: false,
    workers: 1,
    backends: rec.addresses,
    dir: join(dir, 'lb-corpus'),
    cert,
  });
  stops.push(lb.proc);
  const forwarded = () =>
    rec.procs.reduce(
      (a, r) =>
        a + r.lines.filter((l) => l.startsWith('REQ ') && !l.endsWith('/health/ready')).length,
      0,
    );
  return compareCorpus(
    [
      { name: 'HAProxy', host: HOST, port: Number(new URL(haproxy.http).port) },
      { name: 'LB', host: HOST, port: Number(new URL(lb.http).port) },
    ],
    forwarded,
  );
}

async function main(): Promise<void> {
  const generator = checkOptions();
  execFileSync('taskset', ['-cp', String(LOADGEN_CPU), String(process.pid)], { stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'bench-lb-'));
  const stops: Started[] = [];
  const report: Record<string, unknown> = { at: new Date().toISOString(), ...values };
  try {
    const cert = makeCertificate(dir);
    const out: string[] = [''];
    if (values.only !== 'corpus') {
      const backends = await startBackends(2, 201, false);
      stops.push(...backends.procs);
      const seconds = Number(values.seconds);
      const connections = Number(values.connections);
      process.stdout.write(
        `backends ${backends.addresses.join(', ')}; ${seconds} s per row, ${connections} connections; generator ${generator} on CPU ${LOADGEN_CPU}, load average ${loadavg()
          .map((v) => v.toFixed(1))
          .join(' ')}\n`,
      );
      const options = {
        seconds,
        connections,
        workers: Number(values.workers),
        repeat: Math.max(1, Number(values.repeat)),
        dir,
        cert,
        backends: backends.addresses,
        backendPid: backends.procs[0]?.proc.pid,
        generator,
      };
      if (values.only === 'half') {
        const half = await halfCapacity(options, Number(values.rate ?? '2000'));
        Object.assign(report, { half });
        out.push(halfLine(half), '');
      } else {
        const { rows, half } = await throughputRows(options);
        Object.assign(report, { rows, half });
        out.push(...summary(rows, half), '');
      }
    }
    if (values.only !== 'throughput' && values.only !== 'half') {
      const corpus = await corpusRows(dir, cert, stops);
      report.corpus = corpus;
      out.push(
        'Smuggling / malformed corpus, HAProxy 2.6 vs the LB (status, connection, backend hits):',
        corpusTable(corpus, ['HAProxy', 'LB']),
        '',
      );
    }
    process.stdout.write(out.join('\n'));
    const reports = join(process.cwd(), 'loadtest', 'reports');
    mkdirSync(reports, { recursive: true });
    const file = join(reports, `bench-lb-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2));
    process.stdout.write(`\nJSON: ${file}\n`);
  } finally {
    for (const s of stops.reverse()) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-lb: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

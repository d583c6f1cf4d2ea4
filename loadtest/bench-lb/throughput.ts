/**
 * The throughput rows: the same load straight at a backend, through HAProxy, through our LB, and
 * the p99 the LB adds at half its capacity (a steady paced load, see paced.ts).
 */
import { join } from 'node:path';
import { type Generated, type GeneratorName, generate, generatorLimited } from './generator.ts';
import { medianWindow, type PacedPlan, type PacedResult, pacedLoad } from './paced.ts';
import { cpuMicros, rssBytes } from './procs.ts';
import type { Row } from './report.ts';
import { type Certificate, type RunningProxy, startHaproxyProxy, startOurLb } from './setup.ts';

export interface ThroughputOptions {
  readonly seconds: number;
  readonly connections: number;
  readonly workers: number;
  /** Runs per row; the best (by req/s) is kept, which damps other load on a shared machine. */
  readonly repeat: number;
  readonly dir: string;
  readonly cert: Certificate;
  readonly backends: readonly string[];
  readonly backendPid: number | undefined;
  readonly generator: GeneratorName;
}

export interface HalfCapacity {
  readonly rate: number;
  readonly directP50: number;
  readonly directP99: number;
  readonly lbP50: number;
  readonly lbP99: number;
  readonly addedP99: number;
  /** Share of one CPU the LB process used at this rate (the tail grows as it nears 1). */
  readonly lbBusy: number;
  /** HAProxy at the same rate, for scale. */
  readonly haproxyP50: number;
  readonly haproxyP99: number;
  readonly haproxyBusy: number;
  /** Share of its core the paced generator (this process) used through the LB. */
  readonly generatorBusy: number;
}

/** The median paced window through a proxy, and the share of a CPU the proxy used meanwhile. */
async function pacedThrough(
  p: RunningProxy,
  plan: PacedPlan,
): Promise<{ window: PacedResult; busy: number; generatorBusy: number }> {
  const pid = p.proc.proc.pid ?? 0;
  const cpu0 = cpuMicros(pid);
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  const window = medianWindow(await pacedLoad([p.http], plan));
  const wallMicros = (performance.now() - t0) * 1000;
  const own = process.cpuUsage(own0);
  return {
    window,
    busy: (cpuMicros(pid) - cpu0) / wallMicros,
    generatorBusy: (own.user + own.system) / wallMicros,
  };
}

/** Scrapes the LB's metrics once a second while a row runs (metrics "on" means read, too). */
function scrape(url: string | null): () => void {
  if (url === null) return () => {};
  const timer = setInterval(() => {
    fetch(url)
      .then((r) => r.text())
      .catch(() => {});
  }, 1000);
  return () => clearInterval(timer);
}

/** Starts a proxy, uses it, and always stops it. */
async function withProxy<T>(
  start: () => Promise<RunningProxy>,
  use: (p: RunningProxy) => Promise<T>,
): Promise<T> {
  const p = await start();
  try {
    return await use(p);
  } finally {
    await p.proc.stop();
  }
}

export async function throughputRows(
  o: ThroughputOptions,
): Promise<{ rows: Row[]; half: HalfCapacity }> {
  const measure = async (
    name: string,
    url: string,
    pid: number | undefined,
    extra: Partial<Row>,
    metrics: string | null = null,
  ): Promise<Row> => {
    await generate(o.generator, url, o.connections, 2);
    const stop = scrape(metrics);
    let best: { r: Generated; cpu: number } | undefined;
    for (let i = 0; i < o.repeat; i++) {
      const cpu0 = pid === undefined ? 0 : cpuMicros(pid);
      const r = await generate(o.generator, url, o.connections, o.seconds);
      const cpu = pid === undefined ? 0 : cpuMicros(pid) - cpu0;
      if (best === undefined || r.rps > best.r.rps) best = { r, cpu };
    }
    stop();
    const { r, cpu } = best as { r: Generated; cpu: number };
    const row: Row = {
      name,
      rps: r.rps,
      p50: r.p50,
      p99: r.p99,
      cpuMicrosPerRequest: r.requests > 0 ? cpu / r.requests : 0,
      rssMiB: pid === undefined ? 0 : rssBytes(pid) / 1048576,
      failures: r.failures,
      generatorCores: r.generatorCores,
      generator: o.generator,
      ...extra,
    };
    process.stdout.write(
      `  ${name}: ${Math.round(row.rps)} req/s, p99 ${row.p99.toFixed(2)} ms, ${o.generator} at ${(r.generatorCores * 100).toFixed(0)} % of its core${generatorLimited(r.generatorCores) ? ' (generator-limited)' : ''}\n`,
    );
    return row;
  };
  const rows: Row[] = [];
  const direct = `http://${o.backends[0]}/`;
  rows.push(await measure('direct to one backend', direct, o.backendPid, {}));
  await withProxy(
    () => startHaproxyProxy(o.dir, o.cert, o.backends, true),
    async (h) => {
      rows.push(await measure('HAProxy 2.6, HTTP', h.http, h.proc.proc.pid, { baseline: 'http' }));
      rows.push(await measure('HAProxy 2.6, TLS', h.https, h.proc.proc.pid, { baseline: 'https' }));
    },
  );
  const lbRow = (engine: string, workers: number, tls: boolean) =>
    withProxy(
      () =>
        startOurLb({
          engine,
          tls,
          workers,
          backends: o.backends,
          dir: join(o.dir, `lb-${engine}-${workers}-${tls}`),
          cert: o.cert,
        }),
      (p) =>
        measure(
          `LB ${engine}, ${workers === 1 ? '1 process' : `${workers} workers (unpinned)`}, ${tls ? 'TLS' : 'HTTP'}`,
          tls ? p.https : p.http,
          p.proc.proc.pid,
          { compareTo: tls ? 'https' : 'http' },
          p.metrics,
        ),
    );
  for (const engine of ['undici', 'http-proxy'])
    for (const tls of [false, true]) rows.push(await lbRow(engine, 1, tls));
  for (const engine of ['undici', 'http-proxy'])
    for (const tls of [false, true]) rows.push(await lbRow(engine, o.workers, tls));

  const undici = rows.find((r) => r.name === 'LB undici, 1 process, HTTP');
  const rate = Math.max(100, Math.round((undici?.rps ?? 200) / 2));
  const half = await halfCapacity(o, rate);
  return { rows, half };
}

/** The p99 the LB adds at a steady `rate` (median of three windows), with HAProxy for scale. */
export async function halfCapacity(o: ThroughputOptions, rate: number): Promise<HalfCapacity> {
  const plan: PacedPlan = {
    rate,
    warmupSeconds: 5,
    seconds: o.seconds,
    windows: 3,
    connections: o.connections,
  };
  const plain = medianWindow(
    await pacedLoad(
      o.backends.map((b) => `http://${b}/`),
      plan,
    ),
  );
  const through = await withProxy(
    () =>
      startOurLb({
        engine: 'undici',
        tls: false,
        workers: 1,
        backends: o.backends,
        dir: join(o.dir, 'lb-half'),
        cert: o.cert,
      }),
    (p) => pacedThrough(p, plan),
  );
  const viaHaproxy = await withProxy(
    () => startHaproxyProxy(o.dir, o.cert, o.backends, true),
    (p) => pacedThrough(p, plan),
  );
  return {
    rate,
    directP50: plain.p50,
    directP99: plain.p99,
    lbP50: through.window.p50,
    lbP99: through.window.p99,
    addedP99: through.window.p99 - plain.p99,
    lbBusy: through.busy,
    haproxyP50: viaHaproxy.window.p50,
    haproxyP99: viaHaproxy.window.p99,
    haproxyBusy: viaHaproxy.busy,
    generatorBusy: through.generatorBusy,
  };
}

/**
 * The LB's metrics in the Prometheus text format, rendered from a stats snapshot at scrape time
 * (the hot path only bumps plain counters). Process metrics come from prom-client (admin/server.ts).
 */
import { FAILURES } from '../pools/backend.ts';
import { LATENCY_BUCKETS } from '../pools/pool.ts';
import type { PoolStats, StatsSnapshot } from './stats.ts';

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

class Writer {
  readonly lines: string[] = [];
  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  }
  sample(name: string, labels: Record<string, string>, value: number): void {
    const l = Object.entries(labels)
      .map(([k, v]) => `${k}="${esc(v)}"`)
      .join(',');
    this.lines.push(`${name}${l === '' ? '' : `{${l}}`} ${value}`);
  }
}

export function renderPrometheus(s: StatsSnapshot): string {
  const w = new Writer();
  const backends = s.pools.flatMap((p) => p.backends.map((b) => ({ pool: p.name, b })));
  const per = (
    name: string,
    type: 'counter' | 'gauge',
    help: string,
    value: (b: (typeof backends)[number]['b']) => number,
  ) => {
    w.family(name, type, help);
    for (const { pool, b } of backends) w.sample(name, { pool, backend: b.address }, value(b));
  };
  w.family('lb_requests_total', 'counter', 'Requests routed to a pool.');
  for (const p of s.pools) w.sample('lb_requests_total', { pool: p.name }, p.requests);
  w.family('lb_no_backend_total', 'counter', 'Requests answered 503 because no backend was up.');
  for (const p of s.pools) w.sample('lb_no_backend_total', { pool: p.name }, p.noBackend);
  w.family('lb_retries_total', 'counter', 'Attempts retried on another backend.');
  for (const p of s.pools) w.sample('lb_retries_total', { pool: p.name }, p.retries);
  const perPool = (
    name: string,
    type: 'counter' | 'gauge',
    help: string,
    value: (p: PoolStats) => number,
  ) => {
    w.family(name, type, help);
    for (const p of s.pools) w.sample(name, { pool: p.name }, value(p));
  };
  perPool(
    'lb_pool_panic',
    'gauge',
    '1 while the pool is in panic (routes to every backend that answers).',
    (p) => (p.routing === 'panic' ? 1 : 0),
  );
  perPool(
    'lb_pool_fallback',
    'gauge',
    '1 while the pool sends its requests to its fallback pool.',
    (p) => (p.routing === 'fallback' ? 1 : 0),
  );
  perPool('lb_pool_healthy_backends', 'gauge', 'Backends passing their checks.', (p) => p.healthy);
  perPool(
    'lb_pool_panic_requests_total',
    'counter',
    'Requests sent while the pool was in panic.',
    (p) => p.panicRequests,
  );
  perPool(
    'lb_pool_fallback_requests_total',
    'counter',
    'Requests handed to the fallback pool.',
    (p) => p.fallbacks,
  );
  perPool('lb_queue_length', 'gauge', 'Requests waiting for a connection slot.', (p) => p.queued);
  w.family('lb_queue_rejected_total', 'counter', '503s of admission control, by reason.');
  for (const p of s.pools) {
    w.sample('lb_queue_rejected_total', { pool: p.name, reason: 'full' }, p.queueFull);
    w.sample('lb_queue_rejected_total', { pool: p.name, reason: 'timeout' }, p.queueTimeouts);
  }
  w.family(
    'lb_sticky_redispatch_total',
    'counter',
    'Sticky clients moved off a backend that was down.',
  );
  for (const p of s.pools)
    w.sample('lb_sticky_redispatch_total', { pool: p.name }, p.stickyRedispatches);
  w.family(
    'lb_request_duration_seconds',
    'histogram',
    'Time from request to the end of the response.',
  );
  for (const p of s.pools) {
    let cumulative = 0;
    LATENCY_BUCKETS.forEach((le, i) => {
      cumulative += p.latency[i] ?? 0;
      w.sample('lb_request_duration_seconds_bucket', { pool: p.name, le: String(le) }, cumulative);
    });
    cumulative += p.latency[LATENCY_BUCKETS.length] ?? 0;
    w.sample('lb_request_duration_seconds_bucket', { pool: p.name, le: '+Inf' }, cumulative);
    w.sample('lb_request_duration_seconds_sum', { pool: p.name }, p.latencySum);
    w.sample('lb_request_duration_seconds_count', { pool: p.name }, cumulative);
  }
  per('lb_backend_up', 'gauge', '1 when the backend is in rotation.', (b) => (b.up ? 1 : 0));
  per('lb_backend_weight', 'gauge', 'Configured weight.', (b) => b.weight);
  per('lb_backend_inflight', 'gauge', 'Requests in flight to the backend.', (b) => b.inflight);
  per('lb_backend_requests_total', 'counter', 'Attempts sent to the backend.', (b) => b.requests);
  per('lb_backend_ejections_total', 'counter', 'Passive ejections.', (b) => b.ejections);
  w.family('lb_backend_responses_total', 'counter', 'Backend responses by status class.');
  for (const { pool, b } of backends)
    for (let c = 1; c <= 5; c++)
      w.sample(
        'lb_backend_responses_total',
        { pool, backend: b.address, code: `${c}xx` },
        b.responses[c] ?? 0,
      );
  w.family('lb_backend_failures_total', 'counter', 'Failed attempts by kind.');
  for (const { pool, b } of backends)
    for (const kind of FAILURES)
      w.sample('lb_backend_failures_total', { pool, backend: b.address, kind }, b.failures[kind]);
  w.family(
    'lb_rejected_requests_total',
    'counter',
    'Requests the LB refused itself, by error code.',
  );
  for (const [code, n] of Object.entries(s.rejected))
    w.sample('lb_rejected_requests_total', { code }, n);
  w.family('lb_process_resident_memory_bytes', 'gauge', 'RSS of each LB process.');
  w.family('lb_process_cpu_seconds_total', 'counter', 'CPU time of each LB process.');
  for (const p of s.processes) {
    const labels = { pid: String(p.pid), role: p.role };
    w.sample('lb_process_resident_memory_bytes', labels, p.rssBytes);
    w.sample('lb_process_cpu_seconds_total', labels, p.cpuSeconds);
  }
  return `${w.lines.join('\n')}\n`;
}

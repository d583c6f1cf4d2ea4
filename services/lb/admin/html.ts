/** The stats page: one table per pool, readable at a glance, refreshed every 5 s. */
import type { BackendStats, PoolStats, StatsSnapshot } from './stats.ts';

const escapeHtml = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const ago = (at: number) =>
  at === 0 ? '' : `${Math.max(0, Math.round((Date.now() - at) / 1000))} s ago`;

function row(b: BackendStats): string {
  const errors = Object.values(b.failures).reduce((a, n) => a + n, 0);
  const state = b.up ? 'UP' : 'DOWN';
  const cells = [
    escapeHtml(b.address),
    `<span class="${state.toLowerCase()}">${state}</span>`,
    String(b.weight),
    String(b.inflight),
    String(b.requests),
    ...[2, 3, 4, 5].map((c) => String(b.responses[c] ?? 0)),
    String(errors),
    String(b.retries),
    String(b.ejections),
    String(b.stickyHits),
    escapeHtml(
      `${b.check.result} ${b.check.detail} ${b.check.durationMs ? `${b.check.durationMs} ms` : ''} ${ago(b.check.at)}`,
    ),
  ];
  return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

function routingText(p: PoolStats): string {
  if (p.routing === 'fallback')
    return `<span class="down">FALLBACK to ${escapeHtml(p.fallback ?? '')}</span>`;
  if (p.routing === 'panic')
    return '<span class="down">PANIC: routing to every backend that answers</span>';
  return p.routing === 'down' ? '<span class="down">DOWN</span>' : 'normal';
}

export function renderHtml(s: StatsSnapshot, title: string): string {
  const head = [
    'backend',
    'state',
    'weight',
    'in flight',
    'requests',
    '2xx',
    '3xx',
    '4xx',
    '5xx',
    'errors',
    'retried',
    'ejected',
    'sticky',
    'last check',
  ];
  const pools = s.pools
    .map(
      (
        p,
      ) => `<h2>${escapeHtml(p.name)} <small>${routingText(p)} · ${p.backends.filter((b) => b.up).length}/${p.backends.length} up · ${p.requests} requests · ${p.retries} retries · ${p.noBackend} no-backend 503s · ${p.queued} queued · ${p.queueFull + p.queueTimeouts} queue 503s</small></h2>
<table><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>${p.backends.map(row).join('')}</table>`,
    )
    .join('\n');
  const rejected = Object.entries(s.rejected)
    .map(([code, n]) => `${escapeHtml(code)}: ${n}`)
    .join(' · ');
  const procs = s.processes
    .map(
      (p) =>
        `${p.role} ${p.pid}: ${(p.rssBytes / 1048576).toFixed(0)} MiB, ${p.cpuSeconds.toFixed(1)} s CPU`,
    )
    .join(' · ');
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>${escapeHtml(title)}</title><style>
body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}
td:first-child,td:last-child{text-align:left}.up{color:#080;font-weight:bold}.down{color:#c00;font-weight:bold}small{color:#666;font-weight:normal}
</style></head><body><h1>${escapeHtml(title)}</h1>
<p>Rejected requests: ${rejected || 'none'}</p><p>Processes: ${escapeHtml(procs)}</p>
${pools}
<p><a href="/stats.json">JSON</a> · <a href="/metrics">Prometheus metrics</a></p></body></html>`;
}

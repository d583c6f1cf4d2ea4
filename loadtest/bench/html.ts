/**
 * report.html: the summary table and ratios, and three charts drawn by Chart.js, whose code is
 * inlined so the page opens with no network access. Pure: the library's source comes in as text.
 */

import { chartSpecs } from './chart-data.ts';
import { machineScope } from './machine-scope.ts';
import { rowMarks } from './markdown.ts';
import type { BenchSummary } from './summary.ts';

export const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c,
  );

/** Text placed inside <script>: never closes the element early. */
export const scriptSafe = (text: string) =>
  text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

function table(s: BenchSummary): string {
  const head = [
    'run',
    '#',
    'scenario',
    'req/s at SLO',
    'p99 ms',
    'bottleneck (USE)',
    'generator CPU',
    'machine busy',
    'load avg',
    'marks',
  ];
  const rows = s.rows.map((r) =>
    [
      r.label,
      String(r.repeat),
      r.scenario,
      r.capacityRps.toFixed(0),
      r.p99Ms.toFixed(0),
      r.bottleneck ? `${r.bottleneck.component}: ${r.bottleneck.evidence.join('; ')}` : '—',
      `${r.generator.cores.toFixed(2)} cores`,
      `${(r.machineBusy * 100).toFixed(0)} %`,
      r.loadAverage.map((v) => v.toFixed(1)).join(' '),
      rowMarks(r).join('; '),
    ]
      .map((c) => `<td>${escapeHtml(c)}</td>`)
      .join(''),
  );
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r}</tr>`).join('')}</tbody></table>`;
}

function ratioTable(s: BenchSummary): string {
  const rows = s.ratios.map(
    (r) =>
      `<tr><td>${escapeHtml(r.name)}</td><td>${escapeHtml(r.goal ?? '—')}</td><td>${r.values.map((v) => (v === null ? '—' : `${v.toFixed(2)}×`)).join(' / ')}</td><td>${r.spread === null ? '—' : `${(r.spread * 100).toFixed(0)} %`}</td><td>${r.doubtful ? 'from a generator-limited, machine-saturated or never-broken row' : ''}</td></tr>`,
  );
  return `<table><thead><tr><th>ratio</th><th>goal</th><th>per run</th><th>spread</th><th>marks</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function reportHtml(s: BenchSummary, chartJs: string): string {
  const charts = chartSpecs(s.rows);
  const canvases = charts
    .map(
      (c) =>
        `<h2>${escapeHtml(c.title)}</h2><div class="chart"><canvas id="${c.id}"></canvas></div>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>make bench ${escapeHtml(s.run)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 1.5em; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
td, th { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
.chart { position: relative; height: 360px; max-width: 1100px; }
</style></head><body>
<h1>make bench ${escapeHtml(s.run)}</h1>
<p>Scenario ${escapeHtml(s.scenario)}; SLO p99 ≤ ${s.slo.p99Ms} ms; profile ${escapeHtml(
    Object.entries(s.profile)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
  )}; ${s.machine.cores} cores, load average at start ${s.machine.loadAverageAtStart.map((v) => v.toFixed(1)).join(' ')}${machineScope(s)}. Grey bars: generator-limited or machine-saturated runs.</p>
${table(s)}
<h2>Ratios</h2>
${ratioTable(s)}
${canvases}
<script>${scriptSafe(chartJs)}</script>
<script type="application/json" id="charts">${scriptSafe(JSON.stringify(charts))}</script>
<script>
window.chartsDrawn = 0;
for (const c of JSON.parse(document.getElementById('charts').textContent)) {
  new Chart(document.getElementById(c.id), c.config);
  window.chartsDrawn += 1;
}
</script>
</body></html>
`;
}

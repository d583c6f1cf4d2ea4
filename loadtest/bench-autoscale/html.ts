/**
 * report.html, built like `make bench`'s report (loadtest/bench/html.ts: Chart.js inlined, so the
 * page opens with no network access): the Markdown report, then one chart per run with the web
 * servers (in rotation, running) on top of the offered rate and the p99 per second. Pure.
 */
import { escapeHtml, scriptSafe } from '../bench/html.ts';
import type { ChartRun } from './chart.ts';

function runChart(run: ChartRun, i: number) {
  const x = run.series.map((p) => p.s);
  const line = (label: string, data: number[], color: string, axis: string, step = false) => ({
    label,
    data,
    borderColor: color,
    backgroundColor: color,
    yAxisID: axis,
    stepped: step,
    pointRadius: 0,
    borderWidth: step ? 2.5 : 1.5,
  });
  return {
    id: `run-${i}`,
    title: run.title,
    config: {
      type: 'line',
      data: {
        labels: x,
        datasets: [
          line(
            'web servers in rotation',
            run.series.map((p) => p.inRotation),
            '#1b7f3a',
            'servers',
            true,
          ),
          line(
            'web servers running',
            run.series.map((p) => p.running),
            '#9bd3a8',
            'servers',
            true,
          ),
          line(
            'offered req/s',
            run.series.map((p) => p.rps),
            '#1f5fbf',
            'rps',
          ),
          line(
            'p99 ms',
            run.series.map((p) => p.p99Ms),
            '#c0392b',
            'ms',
          ),
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: {
            title: {
              display: true,
              text: `seconds (${run.phases.map((p) => `${p.name} ${p.atS}`).join(', ')})`,
            },
          },
          servers: { position: 'right', min: 0, title: { display: true, text: 'servers' } },
          rps: { position: 'left', min: 0, title: { display: true, text: 'req/s' } },
          ms: { position: 'left', type: 'logarithmic', title: { display: true, text: 'p99 ms' } },
        },
      },
    },
  };
}

export function reportHtml(markdown: string, runs: readonly ChartRun[], chartJs: string): string {
  const charts = runs.map(runChart);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>make bench-autoscale</title>
<style>body { font: 14px system-ui, sans-serif; margin: 1.5em; } pre { white-space: pre-wrap; }
.chart { position: relative; height: 380px; max-width: 1100px; }</style></head><body>
<pre>${escapeHtml(markdown)}</pre>
${charts.map((c) => `<h2>${escapeHtml(c.title)}</h2><div class="chart"><canvas id="${c.id}"></canvas></div>`).join('\n')}
<script>${scriptSafe(chartJs)}</script>
<script type="application/json" id="charts">${scriptSafe(JSON.stringify(charts))}</script>
<script>
for (const c of JSON.parse(document.getElementById('charts').textContent)) new Chart(document.getElementById(c.id), c.config);
</script>
</body></html>
`;
}

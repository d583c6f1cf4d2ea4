/**
 * The report's three charts as Chart.js configurations: throughput and p99 per run, latency over
 * time, CPU per component. Plain data (no functions), so it travels as JSON into the page. Pure.
 */
import type { BenchRow } from './row.ts';

export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly config: unknown;
}

const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];
const color = (i: number) => PALETTE[i % PALETTE.length] ?? '#000';
const name = (r: BenchRow) => (r.repeat > 1 ? `${r.id} #${r.repeat}` : r.id);
const common = { animation: false, responsive: true, maintainAspectRatio: false };

function throughput(rows: readonly BenchRow[]): ChartSpec {
  return {
    id: 'throughput',
    title: 'Capacity at the SLO (req/s) and p99 there (ms), per run',
    config: {
      type: 'bar',
      data: {
        labels: rows.map(name),
        datasets: [
          {
            type: 'bar',
            label: 'req/s at the SLO',
            data: rows.map((r) => Math.round(r.capacityRps)),
            backgroundColor: rows.map((r) =>
              r.generator.limited || r.machineSaturated ? '#bbbbbb' : color(0),
            ),
            yAxisID: 'rps',
          },
          {
            type: 'line',
            label: 'p99 (ms)',
            data: rows.map((r) => Math.round(r.p99Ms)),
            borderColor: color(3),
            backgroundColor: color(3),
            yAxisID: 'ms',
          },
        ],
      },
      options: {
        ...common,
        scales: {
          rps: {
            type: 'linear',
            position: 'left',
            beginAtZero: true,
            title: { display: true, text: 'req/s' },
          },
          ms: {
            type: 'linear',
            position: 'right',
            beginAtZero: true,
            title: { display: true, text: 'p99 ms' },
            grid: { drawOnChartArea: false },
          },
        },
      },
    },
  };
}

function latencyOverTime(rows: readonly BenchRow[]): ChartSpec {
  const longest = Math.max(0, ...rows.map((r) => r.seconds.length));
  return {
    id: 'latency',
    title: 'p99 latency (ms) each second of the ramp, per run',
    config: {
      type: 'line',
      data: {
        labels: Array.from({ length: longest }, (_, i) => i + 1),
        datasets: rows.map((r, i) => ({
          label: name(r),
          data: r.seconds.map((s) => Math.round(s.p99)),
          borderColor: color(i),
          backgroundColor: color(i),
          pointRadius: 0,
          borderWidth: 1.5,
        })),
      },
      options: {
        ...common,
        scales: {
          x: { title: { display: true, text: 'second of load' } },
          y: { type: 'logarithmic', title: { display: true, text: 'p99 ms (log)' } },
        },
      },
    },
  };
}

function cpu(rows: readonly BenchRow[]): ChartSpec {
  const components = [...new Set(rows.flatMap((r) => Object.keys(r.cpu)))].sort();
  return {
    id: 'cpu',
    title: 'CPU per component over the ramp (cores, mean), per run',
    config: {
      type: 'bar',
      data: {
        labels: rows.map(name),
        datasets: components.map((c, i) => ({
          label: c,
          data: rows.map((r) => Number((r.cpu[c]?.mean ?? 0).toFixed(3))),
          backgroundColor: color(i),
        })),
      },
      options: {
        ...common,
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: 'cores' } },
        },
      },
    },
  };
}

export const chartSpecs = (rows: readonly BenchRow[]): ChartSpec[] => [
  throughput(rows),
  latencyOverTime(rows),
  cpu(rows),
];

/**
 * A self-contained SVG of the runs, pure: per run, three rows on one time axis: web servers (in
 * the LB's rotation, and running), offered request rate, and p99 latency per second. Phases are
 * shaded so the peak lines up across rows.
 */
import type { SecondPoint } from './figures.ts';

export interface ChartRun {
  readonly title: string;
  readonly series: readonly SecondPoint[];
  /** Phase boundaries in seconds from the run's start, with the phase that starts there. */
  readonly phases: readonly { readonly atS: number; readonly name: string }[];
}

const W = 900;
const ROW = 90;
const GAP = 22;
const LEFT = 70;
const RIGHT = 20;
const esc = (t: string) => t.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

function row(
  points: readonly SecondPoint[],
  value: (p: SecondPoint) => number,
  top: number,
  maxS: number,
  label: string,
  colour: string,
  step = false,
  fixedMax?: number,
): string {
  const max = fixedMax ?? Math.max(1, ...points.map(value));
  const x = (s: number) => LEFT + ((W - LEFT - RIGHT) * s) / Math.max(1, maxS);
  const y = (v: number) => top + ROW - (ROW * v) / max;
  const path = points
    .map((p, i) => {
      const prev = points[i - 1];
      const stepPart = step && prev ? `L${x(p.s).toFixed(1)},${y(value(prev)).toFixed(1)} ` : '';
      return `${i === 0 ? 'M' : `${stepPart}L`}${x(p.s).toFixed(1)},${y(value(p)).toFixed(1)}`;
    })
    .join(' ');
  return [
    `<rect x="${LEFT}" y="${top}" width="${W - LEFT - RIGHT}" height="${ROW}" fill="none" stroke="#ccc"/>`,
    `<text x="${LEFT - 6}" y="${top + 10}" text-anchor="end" font-size="10">${max.toFixed(0)}</text>`,
    `<text x="${LEFT - 6}" y="${top + ROW}" text-anchor="end" font-size="10">0</text>`,
    `<text x="${LEFT + 6}" y="${top + 12}" font-size="11" fill="${colour}">${esc(label)}</text>`,
    `<path d="${path}" fill="none" stroke="${colour}" stroke-width="1.5"/>`,
  ].join('\n');
}

export function chartSvg(runs: readonly ChartRun[]): string {
  const perRun = 3 * (ROW + GAP) + 30;
  const height = runs.length * perRun + 10;
  const parts: string[] = [];
  runs.forEach((run, i) => {
    const top = i * perRun + 20;
    const maxS = Math.max(1, ...run.series.map((p) => p.s));
    const x = (s: number) => LEFT + ((W - LEFT - RIGHT) * s) / maxS;
    parts.push(
      `<text x="${LEFT}" y="${top - 6}" font-size="13" font-weight="bold">${esc(run.title)}</text>`,
    );
    run.phases.forEach((ph, k) => {
      const end = run.phases[k + 1]?.atS ?? maxS;
      if (ph.name === 'peak')
        parts.push(
          `<rect x="${x(ph.atS).toFixed(1)}" y="${top}" width="${(x(end) - x(ph.atS)).toFixed(1)}" height="${3 * (ROW + GAP) - GAP}" fill="#fdf1d8"/>`,
        );
      parts.push(
        `<text x="${x(ph.atS).toFixed(1)}" y="${top + 3 * (ROW + GAP) - GAP + 12}" font-size="9" fill="#777">${esc(ph.name)}</text>`,
      );
    });
    parts.push(
      row(run.series, (p) => p.inRotation, top, maxS, 'web servers in rotation', '#1b7f3a', true),
    );
    parts.push(row(run.series, (p) => p.running, top, maxS, '', '#9bd3a8', true));
    parts.push(
      row(run.series, (p) => p.rps, top + ROW + GAP, maxS, 'requests/s (offered)', '#1f5fbf'),
    );
    parts.push(
      row(
        run.series,
        (p) => p.p99Ms,
        top + 2 * (ROW + GAP),
        maxS,
        'p99 ms (per second, from due time)',
        '#c0392b',
      ),
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

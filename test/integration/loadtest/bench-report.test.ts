/**
 * make bench's report.html, built from a small fixture summary (the matrix itself is too slow for
 * CI), opened in headless Chromium (Debian's /usr/bin/chromium through playwright-core) with every
 * network request blocked: the charts must draw from the inlined Chart.js, with no page error.
 * Needs no stack.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chartJsSource } from '../../../loadtest/bench/chart-library.ts';
import { reportHtml } from '../../../loadtest/bench/html.ts';
import { fixtureSummary } from '../../support/bench-fixture.ts';
import { startBrowser } from '../../support/browser.ts';

interface CanvasView {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  /** Pixels with any opacity. */
  readonly painted: number;
  readonly datasets: number;
  readonly points: number;
}

/** Runs in the page (a string: the test's TypeScript has no DOM types). */
const INSPECT_CANVASES = `[...document.querySelectorAll('canvas')].map((canvas) => {
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
  const chart = Chart.getChart(canvas);
  return {
    id: canvas.id,
    width: canvas.width,
    height: canvas.height,
    painted,
    datasets: chart ? chart.data.datasets.length : 0,
    points: chart ? chart.data.labels.length : 0,
  };
})`;

test('report.html draws its three charts offline in headless Chromium', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scaling-lab-bench-report-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'report.html');
  writeFileSync(file, reportHtml(fixtureSummary(), chartJsSource()));

  const page = await (await startBrowser(t)).newPage();
  const errors: string[] = [];
  const network: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  // Offline: anything but the file itself is refused (and recorded).
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    network.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 30_000 });
  await page.waitForFunction('window.chartsDrawn === 3', undefined, { timeout: 10_000 });

  const charts = (await page.evaluate(INSPECT_CANVASES)) as CanvasView[];
  assert.deepEqual(errors, []);
  assert.deepEqual(network, []);
  assert.deepEqual(
    charts.map((c) => c.id),
    ['throughput', 'latency', 'cpu'],
  );
  for (const c of charts) {
    assert.ok(c.width > 100 && c.height > 100, JSON.stringify(c));
    assert.ok(c.painted > 1000, `${c.id}: only ${c.painted} pixels drawn`);
    assert.ok(c.datasets > 0 && c.points > 0, JSON.stringify(c));
  }
  // 26 rows (13 runs × 2 repeats) in the throughput chart, 3 components in the CPU chart.
  assert.equal(charts[0]?.points, 26);
  assert.equal(charts[2]?.datasets, 3);
  // The tables: the generator-limited row and the ratios are in the page's text.
  const text = await page.textContent('body');
  assert.match(text ?? '', /generator-limited/);
  assert.match(text ?? '', /scaling efficiency 1 → 4 web boxes/);
});

/**
 * The observability profile: Prometheus scrapes the ports the plan gives the LB's admin listener
 * and the web pools, and the Grafana dashboard only asks for metrics the services export.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { WEB_POOLS } from '../../../services/shared/topology/addresses.ts';
import { DEFAULT_PLAN, planFor } from '../../support/compose/fixture.ts';
import { REPO_DIR, repoFile } from '../../support/compose/load.ts';

const prometheus = repoFile('infra/prometheus/prometheus.yml');
const dashboard = repoFile('infra/grafana/dashboards/scaling-lab.json');

test('Prometheus scrapes the LB admin port and every web pool on the ports the plan gives them', () => {
  const lb = DEFAULT_PLAN.services.find((s) => s.kind === 'lb');
  const web = DEFAULT_PLAN.services.find((s) => s.kind === 'web');
  const config = JSON.stringify(parse(prometheus));
  assert.ok(config.includes(`"lb:${String(lb?.ports.admin)}"`), 'lb admin target');
  const dns = /"names":\[([^\]]*)\],"type":"A","port":(\d+)/.exec(config);
  assert.equal(Number(dns?.[2]), web?.ports.http);
  assert.deepEqual(JSON.parse(`[${dns?.[1] ?? ''}]`), [...WEB_POOLS]);
  const worker = planFor({ THUMBNAILS: 'queue' }).services.find((s) => s.kind === 'worker');
  assert.ok(
    config.includes(`"names":["worker"],"type":"A","port":${String(worker?.ports.metrics)}`),
    'worker metrics target',
  );
  const cdn = DEFAULT_PLAN.services.find((s) => s.kind === 'cdn');
  assert.ok(config.includes(`"cdn:${String(cdn?.ports.admin)}"`), 'cdn admin target');
});

/** Metric names (without histogram suffixes) in the dashboard's queries. */
function dashboardMetrics(json: string): string[] {
  const exprs = [...json.matchAll(/"expr": "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? '');
  const names = exprs.flatMap((e) => [...e.matchAll(/\b((?:lb|http|db|thumbnail)_[a-z_]+)\b/g)]);
  return [...new Set(names.map((m) => (m[1] ?? '').replace(/_(bucket|sum|count)$/, '')))];
}

test('every metric on the dashboard is one the services export', () => {
  const sources = readdirSync(join(REPO_DIR, 'services'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(REPO_DIR, 'services', f), 'utf8'))
    .join('\n');
  const metrics = dashboardMetrics(dashboard);
  assert.ok(metrics.length >= 6, JSON.stringify(metrics));
  assert.deepEqual(
    metrics.filter((m) => !sources.includes(`'${m}'`)),
    [],
  );
  assert.deepEqual(dashboardMetrics('{"expr": "rate(lb_made_up_total[1m])"}'), [
    'lb_made_up_total',
  ]);
});

/**
 * The autoscaler's Prometheus metrics, on a registry of its own: per pool the desired and current
 * servers, the tracked metric and its target, the reason of the last decision, decisions and
 * scaling actions counted, and how long new servers took to become ready (slow starts counted).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Reason } from './policy.ts';

export const REASONS: readonly (Reason | 'actuating' | 'no-signal' | 'disabled')[] = [
  'within-tolerance',
  'scale-out',
  'scale-in',
  'below-min',
  'above-max',
  'at-max',
  'at-min',
  'out-cooldown',
  'in-cooldown',
  'stabilising',
  'actuating',
  'no-signal',
  'disabled',
];
export type DecisionReason = (typeof REASONS)[number];

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'autoscaler_' });
  const r = [registry];
  return {
    registry,
    desired: new Gauge({
      name: 'autoscaler_desired_replicas',
      help: 'Servers the last decision asked for, per pool',
      labelNames: ['pool'],
      registers: r,
    }),
    current: new Gauge({
      name: 'autoscaler_current_replicas',
      help: 'Servers in the pool when the last decision was taken',
      labelNames: ['pool'],
      registers: r,
    }),
    metric: new Gauge({
      name: 'autoscaler_metric_per_server',
      help: 'The tracked metric per server (AUTOSCALE_METRIC), per pool',
      labelNames: ['pool', 'metric'],
      registers: r,
    }),
    target: new Gauge({
      name: 'autoscaler_metric_target',
      help: 'The target of the tracked metric per server (AUTOSCALE_TARGET)',
      labelNames: ['pool', 'metric'],
      registers: r,
    }),
    reason: new Gauge({
      name: 'autoscaler_decision_reason',
      help: 'Reason of the last decision per pool (1 for that reason, 0 for the others)',
      labelNames: ['pool', 'reason'],
      registers: r,
    }),
    decisions: new Counter({
      name: 'autoscaler_decisions_total',
      help: 'Decisions taken, by pool and reason',
      labelNames: ['pool', 'reason'],
      registers: r,
    }),
    scaled: new Counter({
      name: 'autoscaler_servers_total',
      help: 'Servers added, removed, or that failed to start, by pool',
      labelNames: ['pool', 'action'],
      registers: r,
    }),
    ready: new Histogram({
      name: 'autoscaler_server_ready_seconds',
      help: 'From launch until a new server answered /health/ready',
      labelNames: ['pool'],
      buckets: [0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60],
      registers: r,
    }),
    slowStarts: new Counter({
      name: 'autoscaler_slow_starts_total',
      help: 'New servers that took longer than 5 s to become ready',
      labelNames: ['pool'],
      registers: r,
    }),
    errors: new Counter({
      name: 'autoscaler_errors_total',
      help: 'Signal reads and scaling actions that failed',
      labelNames: ['what'],
      registers: r,
    }),
  };
}

export type AutoscalerMetrics = ReturnType<typeof createMetrics>;

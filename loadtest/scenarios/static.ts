/**
 * static: object downloads (uploaded images) with Zipf-popular keys, straight through the entry
 * and, when the stack has a CDN, half of them through the CDN (label `object-cdn`).
 */
import type { Outcome } from '../core/engine.ts';
import { exchange } from '../core/http.ts';
import { zipf } from '../core/zipf.ts';
import { okStatus, type Scenario, type WorkerContext } from './scenario.ts';

export function staticFiles(ctx: WorkerContext): Scenario {
  const { objects, cdn } = ctx.data;
  const keys = zipf(Math.max(1, objects.length), 1, ctx.random);
  return {
    async prepare() {
      if (objects.length === 0) throw new Error('static: no objects to download');
    },
    async send(): Promise<Outcome> {
      const path = objects[keys.next()] ?? '/';
      const viaCdn = cdn !== null && ctx.random() < 0.5;
      const label = viaCdn ? 'object-cdn' : 'object';
      const reply = await exchange(ctx.agent, ctx.origin, {
        label,
        method: 'GET',
        path,
        ...(viaCdn ? { origin: cdn } : {}),
      });
      return { label, status: reply.status, ok: okStatus(reply.status) };
    },
    async finish() {
      return { counters: {}, series: {} };
    },
  };
}

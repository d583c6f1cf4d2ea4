/**
 * Fault-proxy faults (a stack started with FAULT_PROXY=on): a toxic on the proxy in front of one
 * dependency, through the proxy's admin API; healed by removing it. `cut`: the proxy disabled (the
 * dependency refuses connections from the app, though it runs).
 */
import { type StackFile, serviceOf } from '../stack.ts';
import type { Fault } from './fault.ts';

export interface ToxicSpec {
  readonly type: 'latency' | 'bandwidth' | 'timeout' | 'reset_peer';
  readonly stream?: 'upstream' | 'downstream';
  readonly attributes: Readonly<Record<string, number>>;
}

function adminOf(stack: StackFile): string {
  const proxy = serviceOf(stack, 'fault-proxy');
  return `http://${proxy.host}:${proxy.ports.admin}`;
}

async function call(url: string, method: string, body?: unknown): Promise<void> {
  const response = await fetch(url, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok && response.status !== 404)
    throw new Error(`fault proxy: ${method} ${url}: ${response.status} ${await response.text()}`);
}

export const needsFaultProxy = (stack: StackFile): string | undefined =>
  stack.services.some((s) => s.name === 'fault-proxy')
    ? undefined
    : 'needs a stack started with FAULT_PROXY=on';

export function toxic(stack: StackFile, dependency: string, spec: ToxicSpec): Fault {
  const name = `drill_${spec.type}`;
  const base = `${adminOf(stack)}/proxies/${encodeURIComponent(dependency)}/toxics`;
  const remove = () => call(`${base}/${name}`, 'DELETE');
  const described = Object.entries(spec.attributes)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return {
    what: `${spec.type} ${described} ${spec.stream ?? 'downstream'} on the proxy to ${dependency}`,
    observed: {},
    apply: () => call(base, 'POST', { name, stream: 'downstream', ...spec }),
    heal: remove,
    cleanup: remove,
  };
}

export function cut(stack: StackFile, dependency: string): Fault {
  const url = `${adminOf(stack)}/proxies/${encodeURIComponent(dependency)}`;
  const enable = () => call(url, 'POST', { enabled: true });
  return {
    what: `proxy to ${dependency} disabled (connection refused)`,
    observed: {},
    apply: () => call(url, 'POST', { enabled: false }),
    heal: enable,
    cleanup: enable,
  };
}

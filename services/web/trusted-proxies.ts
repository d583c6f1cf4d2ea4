/**
 * Which peers may tell us the client's address and protocol (X-Forwarded-For / -Proto): the LB.
 * TRUST_PROXY lists addresses, CIDR ranges and host names; host names (compose's `lb`) are resolved
 * at start and again every `refreshMs`, so a restarted LB with a new address is trusted again.
 * A peer not on the list is never trusted, whatever headers it sends.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { Parser } from '../shared/config/env.ts';

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** One TRUST_PROXY entry: an address, a CIDR range with a prefix that fits its family, or a host name. */
export const trustedProxyEntry: Parser<string> = {
  expected: 'an IP address, a CIDR range (10.0.0.0/8) or a host name',
  parse: (raw) => {
    const [address = '', bits, extra] = raw.split('/');
    if (extra !== undefined) return undefined;
    const family = isIP(address);
    if (bits === undefined) return family !== 0 || HOST_NAME.test(address) ? raw : undefined;
    const prefix = Number(bits);
    const max = family === 6 ? 128 : 32;
    return family !== 0 && /^\d{1,3}$/.test(bits) && prefix <= max ? raw : undefined;
  },
};

export interface TrustedProxies {
  /** For Fastify's `trustProxy` option. */
  readonly trusts: (address: string) => boolean;
  close(): void;
}

type Resolve = (host: string) => Promise<string[]>;

const resolveAll: Resolve = async (host) =>
  (await lookup(host, { all: true })).map((a) => a.address);

function staticList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(address) === 0) continue;
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return list;
}

export async function trustedProxies(
  entries: readonly string[],
  options: {
    refreshMs?: number;
    /** How soon a name that failed to resolve is tried again. */
    retryMs?: number;
    resolve?: Resolve;
    onError?: (host: string, error: unknown) => void;
  } = {},
): Promise<TrustedProxies> {
  const fixed = staticList(entries);
  const names = entries.filter((e) => isIP(e.split('/')[0] ?? '') === 0);
  const resolve = options.resolve ?? resolveAll;
  let resolved = new Set<string>();
  let unresolved = false;
  const refresh = async () => {
    const next = new Set<string>();
    unresolved = false;
    for (const name of names) {
      try {
        for (const address of await resolve(name)) next.add(address);
      } catch (error) {
        unresolved = true;
        options.onError?.(name, error);
        for (const address of resolved) next.add(address);
      }
    }
    resolved = next;
  };
  await refresh();
  // A name that did not resolve yet (compose starts the LB after the web servers) is retried every
  // second rather than waiting out the refresh interval.
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const schedule = () => {
    if (closed) return;
    const delay = unresolved ? (options.retryMs ?? 1000) : (options.refreshMs ?? 30_000);
    timer = setTimeout(() => void refresh().then(schedule), delay);
    timer.unref();
  };
  if (names.length > 0) schedule();
  const normalise = (address: string) =>
    address.startsWith('::ffff:') ? address.slice(7) : address;
  return {
    trusts: (address) => {
      const plain = normalise(address);
      const family = isIP(plain) === 6 ? 'ipv6' : 'ipv4';
      return resolved.has(plain) || (isIP(plain) !== 0 && fixed.check(plain, family));
    },
    close: () => {
      closed = true;
      clearTimeout(timer);
    },
  };
}

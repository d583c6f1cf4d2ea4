/**
 * Which peers may tell us the client's address and protocol (X-Forwarded-For / -Proto): the LB.
 * TRUST_PROXY lists addresses, CIDR ranges and host names; host names (compose's `lb`) are resolved
 * at start and again every `refreshMs`, so a restarted LB with a new address is trusted again.
 * A peer not on the list is never trusted, whatever headers it sends.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

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
    resolve?: Resolve;
    onError?: (host: string, error: unknown) => void;
  } = {},
): Promise<TrustedProxies> {
  const fixed = staticList(entries);
  const names = entries.filter((e) => isIP(e.split('/')[0] ?? '') === 0);
  const resolve = options.resolve ?? resolveAll;
  let resolved = new Set<string>();
  const refresh = async () => {
    const next = new Set<string>();
    for (const name of names) {
      try {
        for (const address of await resolve(name)) next.add(address);
      } catch (error) {
        options.onError?.(name, error);
        for (const address of resolved) next.add(address);
      }
    }
    resolved = next;
  };
  await refresh();
  const timer =
    names.length > 0 ? setInterval(() => void refresh(), options.refreshMs ?? 30_000) : undefined;
  timer?.unref();
  const normalise = (address: string) =>
    address.startsWith('::ffff:') ? address.slice(7) : address;
  return {
    trusts: (address) => {
      const plain = normalise(address);
      const family = isIP(plain) === 6 ? 'ipv6' : 'ipv4';
      return resolved.has(plain) || (isIP(plain) !== 0 && fixed.check(plain, family));
    },
    close: () => clearInterval(timer),
  };
}

/**
 * Name resolution for `dns:name:port` targets. With LB_DNS_SERVERS the LB asks those name servers
 * directly (A and AAAA, like HAProxy's `resolvers`); otherwise the system resolver (getaddrinfo,
 * which is what Docker's embedded DNS answers). "No such name" / "no records" mean an empty set
 * (a service scaled to zero); other failures throw, and the caller keeps the last good answer.
 */
import { promises as dns } from 'node:dns';

export type Lookup = (name: string) => Promise<string[]>;

const EMPTY_ANSWER = new Set(['ENOTFOUND', 'ENODATA', 'NOTFOUND', 'NODATA']);

const isEmptyAnswer = (error: unknown): boolean =>
  EMPTY_ANSWER.has(String((error as { code?: unknown } | null)?.code));

export const systemLookup: Lookup = async (name) => {
  try {
    const found = await dns.lookup(name, { all: true });
    return [...new Set(found.map((a) => a.address))].sort();
  } catch (error) {
    if (isEmptyAnswer(error)) return [];
    throw error;
  }
};

export function serverLookup(servers: readonly string[], timeoutMs = 1000): Lookup {
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 2 });
  resolver.setServers([...servers]);
  const query = async (fn: () => Promise<string[]>): Promise<string[] | undefined> => {
    try {
      return await fn();
    } catch (error) {
      if (isEmptyAnswer(error)) return [];
      return undefined;
    }
  };
  return async (name) => {
    const [v4, v6] = await Promise.all([
      query(() => resolver.resolve4(name)),
      query(() => resolver.resolve6(name)),
    ]);
    if (v4 === undefined && v6 === undefined) throw new Error(`DNS lookup of ${name} failed`);
    return [...new Set([...(v4 ?? []), ...(v6 ?? [])])].sort();
  };
}

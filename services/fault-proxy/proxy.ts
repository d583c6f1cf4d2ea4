/**
 * One fault proxy: a TCP listener that forwards every connection to its dependency, through the
 * toxics set on it (open connections included). Disabled, it stops listening and drops every open connection (the dependency
 * looks down: connection refused); enabled again, it listens again.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { type Link, openLink } from './link.ts';
import type { Toxic } from './toxics.ts';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface ProxyView {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
  readonly connections: number;
  readonly toxics: readonly Toxic[];
}

const CONNECT_TIMEOUT_MS = 5000;

export class FaultProxy {
  readonly name: string;
  #listen: Endpoint;
  readonly #upstream: Endpoint;
  readonly #toxics = new Map<string, Toxic>();
  readonly #links = new Set<Link>();
  #server: Server | undefined;

  constructor(name: string, listen: Endpoint, upstream: Endpoint) {
    this.name = name;
    this.#listen = listen;
    this.#upstream = upstream;
  }

  get enabled(): boolean {
    return this.#server !== undefined;
  }

  async enable(): Promise<void> {
    if (this.#server) return;
    const server = createServer((client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.#listen.host, port: this.#listen.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    // Port 0 (tests): keep the port the system chose, so enabling again reuses it.
    const bound = server.address();
    if (typeof bound === 'object' && bound !== null)
      this.#listen = { host: this.#listen.host, port: bound.port };
  }

  get port(): number {
    return this.#listen.port;
  }

  async disable(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.dropConnections();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  dropConnections(): void {
    for (const link of this.#links) link.close();
    this.#links.clear();
  }

  addToxic(toxic: Toxic): void {
    this.#toxics.set(toxic.name, toxic);
    for (const link of this.#links) link.added(toxic);
  }

  removeToxic(name: string): boolean {
    return this.#toxics.delete(name);
  }

  clearToxics(): void {
    this.#toxics.clear();
  }

  view(): ProxyView {
    return {
      name: this.name,
      listen: `${this.#listen.host}:${this.#listen.port}`,
      upstream: `${this.#upstream.host}:${this.#upstream.port}`,
      enabled: this.enabled,
      connections: this.#links.size,
      toxics: [...this.#toxics.values()],
    };
  }

  #accept(client: Socket): void {
    client.setNoDelay(true);
    const upstream = connect({ host: this.#upstream.host, port: this.#upstream.port });
    upstream.setNoDelay(true);
    upstream.setTimeout(CONNECT_TIMEOUT_MS, () => upstream.destroy());
    upstream.once('connect', () => upstream.setTimeout(0));
    const link = openLink(client, upstream, () => [...this.#toxics.values()]);
    this.#links.add(link);
    client.once('close', () => this.#links.delete(link));
  }
}

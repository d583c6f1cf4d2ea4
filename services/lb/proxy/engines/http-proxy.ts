/**
 * The http-proxy engine (the library the project names): one keep-alive http.Agent per backend,
 * http-proxy carrying the request, the response handled here (selfHandleResponse) so that both
 * engines write exactly the same response head. http-proxy pipes the client's body as soon as the
 * request is created, so bodies up to LB_RETRY_BODY_BYTES are read first and kept for a retry.
 */
import { Agent, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import httpProxy from 'http-proxy';
import type { LbConfig } from '../../config/types.ts';
import type { Backend } from '../../pools/backend.ts';
import type { AttemptEvents, AttemptHandle, Engine, Upstream } from '../engine.ts';
import { HttpProxyAttempt } from './http-proxy-attempt.ts';

type Server = ReturnType<typeof httpProxy.createProxyServer>;

function headerObject(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < list.length; i += 2) {
    const name = (list[i] as string).toLowerCase();
    const value = list[i + 1] as string;
    const prev = out[name];
    out[name] = prev === undefined ? value : `${prev}, ${value}`;
  }
  return out;
}

type AnyAttempt = HttpProxyAttempt<Upstream>;
type WebOptionsOf = Parameters<Server['web']>[2] & { lbAttempt?: AnyAttempt };

export class HttpProxyEngine implements Engine {
  readonly name = 'http-proxy' as const;
  readonly #config: LbConfig;
  readonly #proxy: Server;
  readonly #agents = new Set<Agent>();
  /** Request bodies read before the first attempt, kept for a retry. */
  readonly #kept = new WeakMap<IncomingMessage, Buffer>();

  constructor(config: LbConfig) {
    this.#config = config;
    this.#proxy = httpProxy.createProxyServer({ xfwd: false, selfHandleResponse: true, ws: false });
    this.#proxy.on('proxyReq', (proxyReq, _req, _res, options) => {
      (options as WebOptionsOf).lbAttempt?.onProxyReq(proxyReq);
    });
    this.#proxy.on('error', () => {});
    this.#proxy.on('econnreset', () => {});
  }

  open(b: Backend): void {
    const agent = new Agent({
      keepAlive: true,
      maxSockets: this.#config.admission.backendMaxConnections,
      timeout: this.#config.timeouts.backendKeepAliveMs,
      scheduling: 'lifo',
    });
    b.transport = agent;
    this.#agents.add(agent);
  }

  release(b: Backend): void {
    const agent = b.transport as Agent | null;
    if (agent === null) return;
    this.#agents.delete(agent);
    setTimeout(() => agent.destroy(), this.#config.timeouts.responseHeadersMs).unref();
  }

  forward<U extends Upstream>(
    b: Backend,
    u: U,
    attempt: number,
    events: AttemptEvents<U>,
  ): AttemptHandle {
    const handle = new HttpProxyAttempt(u, attempt, events, this.#config);
    const req = u.req;
    if (u.hasBody && !this.#kept.has(req) && !req.readableDidRead && this.#fitsReplay(req)) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.once('end', () => {
        this.#kept.set(req, Buffer.concat(chunks));
        if (!handle.aborted) this.#send(b, handle);
      });
      return handle;
    }
    this.#send(b, handle);
    return handle;
  }

  #fitsReplay(req: IncomingMessage): boolean {
    const length = Number(req.headers['content-length']);
    return Number.isFinite(length) && length <= this.#config.retry.replayBodyBytes;
  }

  #send<U extends Upstream>(b: Backend, attempt: HttpProxyAttempt<U>): void {
    const u = attempt.u;
    u.req.headers = headerObject(u.headers);
    const options: WebOptionsOf = {
      target: { host: b.host, port: b.port, protocol: 'http:' },
      agent: b.transport as Agent,
      lbAttempt: attempt as unknown as AnyAttempt,
    };
    const kept = this.#kept.get(u.req);
    if (kept !== undefined) options.buffer = Readable.from([kept]);
    this.#proxy.web(u.req, u.res, options, (error) => attempt.onError(error));
  }

  canReplayBody(u: Upstream): boolean {
    return this.#kept.has(u.req) || !u.req.readableDidRead;
  }

  async close(): Promise<void> {
    for (const agent of this.#agents) agent.destroy();
    this.#agents.clear();
    this.#proxy.close();
  }
}

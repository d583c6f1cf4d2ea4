/**
 * The http-proxy engine (the library the project names): one keep-alive http.Agent per backend,
 * http-proxy carrying the request, the response handled here (selfHandleResponse) so that both
 * engines write exactly the same response head. http-proxy pipes the client's body as soon as the
 * request is created, so bodies up to LB_RETRY_BODY_BYTES are read first and kept for a retry.
 */
import { Agent, type ClientRequest, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import httpProxy from 'http-proxy';
import type { LbConfig } from '../config/types.ts';
import type { Backend } from '../pools/backend.ts';
import type { Engine } from './engine.ts';
import type { Exchange } from './exchange.ts';

type Server = ReturnType<typeof httpProxy.createProxyServer>;
type WebOptions = Parameters<Server['web']>[2] & { lbAttempt?: HttpProxyAttempt };

const coded = (code: string, message: string): Error => Object.assign(new Error(message), { code });

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

class HttpProxyAttempt {
  readonly ex: Exchange;
  readonly attempt: number;
  readonly #config: LbConfig;
  #headersTimer: NodeJS.Timeout | undefined;
  #responded = false;

  constructor(ex: Exchange, config: LbConfig) {
    this.ex = ex;
    this.attempt = ex.attempt;
    this.#config = config;
  }

  current(): boolean {
    return this.ex.attempt === this.attempt && this.ex.backend !== null;
  }

  /** http-proxy created the upstream request and it has a socket. */
  onProxyReq(proxyReq: ClientRequest): void {
    const t = this.#config.timeouts;
    this.ex.abort = (error) => proxyReq.destroy(error);
    const socket = proxyReq.socket;
    if (socket?.connecting) {
      const timer = setTimeout(
        () => proxyReq.destroy(coded('LB_CONNECT_TIMEOUT', 'connect timeout')),
        t.connectMs,
      );
      socket.once('connect', () => clearTimeout(timer));
      proxyReq.once('close', () => clearTimeout(timer));
    }
    this.#headersTimer = setTimeout(
      () => proxyReq.destroy(coded('LB_HEADERS_TIMEOUT', 'response headers timeout')),
      t.responseHeadersMs,
    );
    proxyReq.once('close', () => clearTimeout(this.#headersTimer));
    proxyReq.setTimeout(t.backendIdleMs, () => {
      if (this.#responded) proxyReq.destroy(coded('LB_BODY_TIMEOUT', 'response body timeout'));
    });
    proxyReq.once('response', (proxyRes: IncomingMessage) => this.#onResponse(proxyRes));
  }

  #onResponse(proxyRes: IncomingMessage): void {
    clearTimeout(this.#headersTimer);
    this.#responded = true;
    if (!this.current()) {
      proxyRes.destroy();
      return;
    }
    const ex = this.ex;
    ex.upstreamHead(proxyRes.statusCode ?? 502, proxyRes.rawHeaders);
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      if (this.current()) ex.upstreamError(error);
    };
    proxyRes.on('error', fail);
    proxyRes.on('close', () => {
      if (!proxyRes.complete) fail(coded('ECONNRESET', 'backend closed mid-response'));
    });
    proxyRes.on('end', () => {
      if (!failed && this.current()) ex.upstreamEnd();
    });
    proxyRes.pipe(ex.res, { end: false });
  }

  onError(error: Error): void {
    clearTimeout(this.#headersTimer);
    if (this.ex.attempt === this.attempt) this.ex.upstreamError(error);
  }
}

export class HttpProxyEngine implements Engine {
  readonly name = 'http-proxy' as const;
  readonly #config: LbConfig;
  readonly #proxy: Server;
  readonly #agents = new Set<Agent>();

  constructor(config: LbConfig) {
    this.#config = config;
    this.#proxy = httpProxy.createProxyServer({ xfwd: false, selfHandleResponse: true, ws: false });
    this.#proxy.on('proxyReq', (proxyReq, _req, _res, options) => {
      (options as WebOptions).lbAttempt?.onProxyReq(proxyReq);
    });
    this.#proxy.on('error', () => {});
    this.#proxy.on('econnreset', () => {});
  }

  open(b: Backend): void {
    const agent = new Agent({
      keepAlive: true,
      maxSockets: this.#config.backendMaxConnections,
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

  forward(ex: Exchange): void {
    const req = ex.req;
    if (ex.hasBody && ex.replayBody === null && ex.attempt === 1 && this.#fitsReplay(req)) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.once('end', () => {
        ex.replayBody = Buffer.concat(chunks);
        this.#send(ex);
      });
      return;
    }
    this.#send(ex);
  }

  #fitsReplay(req: IncomingMessage): boolean {
    const length = Number(req.headers['content-length']);
    return Number.isFinite(length) && length <= this.#config.retry.replayBodyBytes;
  }

  #send(ex: Exchange): void {
    const b = ex.backend;
    if (b === null) return;
    const attempt = new HttpProxyAttempt(ex, this.#config);
    ex.req.headers = headerObject(ex.headers);
    const options: WebOptions = {
      target: { host: b.host, port: b.port, protocol: 'http:' },
      agent: b.transport as Agent,
      lbAttempt: attempt,
    };
    if (ex.replayBody !== null) options.buffer = Readable.from([ex.replayBody]);
    this.#proxy.web(ex.req, ex.res, options, (error) => attempt.onError(error));
  }

  canReplayBody(ex: Exchange): boolean {
    return ex.replayBody !== null || !ex.req.readableDidRead;
  }

  async close(): Promise<void> {
    for (const agent of this.#agents) agent.destroy();
    this.#agents.clear();
    this.#proxy.close();
  }
}

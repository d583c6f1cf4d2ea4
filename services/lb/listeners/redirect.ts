/**
 * The plain-HTTP listener when TLS is on: every request is answered with a 308 to the same path
 * on HTTPS (the method and body are kept by 308). The Host header is validated before it is put
 * into the Location, so nothing a client sends can shape the redirect beyond its own host name.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HOST_VALUE } from '../headers/request.ts';
import type { ProxyContext } from '../proxy/context.ts';
import { rejectRequest } from '../proxy/handler.ts';

export function redirectLocation(host: string, url: string, httpsPort: number): string | undefined {
  const name = HOST_VALUE.exec(host)?.groups?.name;
  if (name === undefined || url.charCodeAt(0) !== 47 || url.charCodeAt(1) === 47) return undefined;
  return `https://${name}${httpsPort === 443 ? '' : `:${httpsPort}`}${url}`;
}

export function createRedirectHandler(ctx: ProxyContext) {
  const port = ctx.config.redirectHttpsPort;
  return (req: IncomingMessage, res: ServerResponse): void => {
    const hosts = req.headersDistinct.host;
    const location =
      hosts?.length === 1 ? redirectLocation(hosts[0] as string, req.url ?? '', port) : undefined;
    if (location === undefined) {
      rejectRequest(
        ctx,
        req,
        res,
        400,
        hosts?.length === 1 ? 'LB_ERR_BAD_TARGET' : 'LB_ERR_BAD_HOST',
      );
      return;
    }
    res.writeHead(308, ['location', location, 'content-length', '0', 'cache-control', 'no-store']);
    res.end();
  };
}

/** Puts the LB's servers on their ports (port 0 picks a free one) and reports the ports. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Lb } from '../app.ts';

export interface Ports {
  readonly http: number;
  readonly https: number | null;
  readonly admin: number | null;
}

export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function listenLb(lb: Lb): Promise<Ports> {
  const c = lb.config;
  const https = lb.https === null ? null : await listen(lb.https, c.host, c.httpsPort);
  const http = await listen(lb.http, c.host, c.httpPort);
  const admin = lb.admin === null ? null : await listen(lb.admin, c.adminHost, c.adminPort);
  return { http, https, admin };
}

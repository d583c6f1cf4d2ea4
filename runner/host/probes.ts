/**
 * Readiness probes: one real request per kind of server, each with its own timeout. A probe
 * resolves when the server answers as a ready one would, and throws otherwise; the caller retries
 * until its deadline.
 */
import { request } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { close, connect, rows } from '../../services/setup/mysql.ts';
import { createS3Client, type S3Access } from '../../services/shared/s3-client.ts';

export const PROBE_TIMEOUT_MS = 3000;

/** Logs in and runs SELECT 1. */
export async function probeMysql(host: string, port: number, user: string, password: string) {
  const conn = await connect({ host, port, user, password });
  try {
    await rows(conn, 'SELECT 1');
  } finally {
    await close(conn);
  }
}

/** Sends `payload` over TCP and resolves once the reply starts with `expect`. */
export function tcpExchange(host: string, port: number, payload: string, expect: string) {
  return new Promise<string>((resolve, reject) => {
    const socket = tcpConnect({ host, port });
    let reply = '';
    socket.setTimeout(PROBE_TIMEOUT_MS, () => socket.destroy(new Error('no reply in time')));
    socket.once('connect', () => socket.write(payload));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) {
        socket.destroy();
        if (reply.startsWith(expect)) resolve(reply.trim());
        else reject(new Error(`unexpected reply ${JSON.stringify(reply.trim())}`));
      }
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('connection closed without a reply')));
  });
}

export const probeRedis = (host: string, port: number) =>
  tcpExchange(host, port, 'PING\r\n', '+PONG');

export const probeMemcached = (host: string, port: number) =>
  tcpExchange(host, port, 'version\r\n', 'VERSION ');

/** Lists buckets with the stack's key: the store is up and accepts the key. */
export async function probeS3(access: S3Access): Promise<void> {
  const client = createS3Client(access, { connectMs: 1000, requestMs: PROBE_TIMEOUT_MS });
  try {
    await client.send(new ListBucketsCommand({}));
  } finally {
    client.destroy();
  }
}

/** GET `url` must answer 200. */
export function probeHttp(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve();
      else reject(new Error(`GET ${url} answered ${res.statusCode}`));
    });
    req.once('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.once('error', reject);
    req.end();
  });
}

/** A TLS handshake completes (the certificate is the stack's own, so it is not verified here). */
export function probeTls(host: string, port: number, servername = 'localhost'): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host, port, servername, rejectUnauthorized: false });
    socket.setTimeout(PROBE_TIMEOUT_MS, () => socket.destroy(new Error('TLS handshake timed out')));
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

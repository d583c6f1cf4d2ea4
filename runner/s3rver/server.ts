/**
 * The native S3 store: s3rver on the stack's address, its data under the stack directory, and the
 * stack's key pair registered (s3rver otherwise knows only its built-in S3RVER key, which is
 * revoked here so only the stack's key works). Logs JSON lines like every other service and
 * closes on SIGTERM.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import {
  ConfigError,
  field,
  integer,
  oneOf,
  parseEnv,
  secret,
  text,
} from '../../services/shared/config/env.ts';
import { createLogger, LOG_LEVELS } from '../../services/shared/logger.ts';

interface S3rverAccount {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
  revokeAccessKey(accessKeyId: string): void;
}

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  readonly httpServer?: Server;
}

type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as S3rverClass;
const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: S3rverAccount };

const schema = {
  S3RVER_HOST: field(text()),
  S3RVER_PORT: field(integer(1, 65535)),
  S3RVER_DIR: field(text()),
  S3_ACCESS_KEY_ID: field(text(/^[A-Za-z0-9]{3,128}$/, 'letters and digits')),
  S3_SECRET_ACCESS_KEY: secret(text(/^\S{8,128}$/, '8–128 characters without spaces')),
  LOG_LEVEL: field(oneOf(LOG_LEVELS), 'info'),
} as const;

function config() {
  try {
    return parseEnv(process.env, schema);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`s3rver: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

const c = config();
const log = createLogger({ service: 's3', instance: 's3', level: c.LOG_LEVEL });

DUMMY_ACCOUNT.createKeyPair(c.S3_ACCESS_KEY_ID, c.S3_SECRET_ACCESS_KEY);
if (c.S3_ACCESS_KEY_ID !== 'S3RVER') DUMMY_ACCOUNT.revokeAccessKey('S3RVER');

const server = new S3rver({
  address: c.S3RVER_HOST,
  port: c.S3RVER_PORT,
  directory: c.S3RVER_DIR,
  silent: true,
  // Path-style only: the stack addresses it by IP.
  vhostBuckets: false,
});

const address = await server.run();
log.info({ address: address.address, port: address.port, dir: c.S3RVER_DIR }, 's3rver listening');

let closing = false;
const shutdown = (signal: NodeJS.Signals) => {
  if (closing) process.exit(1);
  closing = true;
  log.info({ signal }, 'closing');
  const force = setTimeout(() => process.exit(1), 5000);
  force.unref();
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
  // Idle keep-alive connections would hold close() open.
  server.httpServer?.closeIdleConnections();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

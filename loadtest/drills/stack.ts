/**
 * The running native stack a drill acts on, from its stack.json (the runner's contract): the LB's
 * certificate, app-user connections to a MariaDB instance, an S3 client for the object store, and
 * the current pid of a service (from its pid record: a restarted process has a new one).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import mysql, { type Connection } from 'mysql2/promise';
import { instancePaths } from '../../runner/host/paths.ts';
import { readRecord } from '../../runner/process/records.ts';
import { readStackFile } from '../../runner/stack/read-stack.ts';
import type { StackFile, StackService } from '../../runner/stack/stack-file.ts';
import { createS3Client } from '../../services/shared/s3-client.ts';
import type { SecretName } from '../../services/shared/topology/plan.ts';

export type { StackFile, StackService };
export { readStackFile };

export function serviceOf(stack: StackFile, name: string): StackService {
  const s = stack.services.find((x) => x.name === name);
  if (s === undefined)
    throw new Error(
      `the stack has no ${name} (has ${stack.services.map((x) => x.name).join(', ')})`,
    );
  return s;
}

export const secretOf = (stack: StackFile, name: SecretName): string =>
  readFileSync(stack.secrets[name], 'utf8').trim();

export function lbCertificate(stack: StackFile): Buffer {
  return readFileSync(join(serviceOf(stack, 'lb').dataDir, 'dev-cert.pem'));
}

export function connectDb(stack: StackFile, instance = 'mysql-primary'): Promise<Connection> {
  const s = serviceOf(stack, instance);
  return mysql.createConnection({
    host: s.host,
    port: s.ports.mysql ?? 0,
    user: stack.mysql.user,
    password: secretOf(stack, 'mysql-password'),
    database: stack.mysql.database,
    connectTimeout: 5000,
    multipleStatements: false,
  });
}

export function s3Of(stack: StackFile): { client: S3Client; bucket: string } | undefined {
  if (stack.s3 === null) return undefined;
  const client = createS3Client({
    endpoint: stack.s3.endpoint,
    region: stack.s3.region,
    accessKeyId: stack.s3.accessKeyId,
    secretAccessKey: secretOf(stack, 's3-secret-access-key'),
  });
  return { client, bucket: stack.s3.bucket };
}

/** The pid the service runs as now (its pid record), or undefined when it has none. */
export function currentPid(stack: StackFile, name: string): number | undefined {
  return readRecord(instancePaths(stack.stackDir, name).pidFile)?.pid;
}

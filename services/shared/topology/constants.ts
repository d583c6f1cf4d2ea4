/** Names shared by both ways of running the stack: secrets and non-secret identities. */

export const SECRET_NAMES = [
  'mysql-root-password',
  'mysql-password',
  'mysql-replication-password',
  's3-secret-access-key',
  'lb-sticky-secret',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

/** Names and identities that are not secret and are the same in both modes. */
export const STACK_CONSTANTS = {
  mysqlUser: 'app',
  mysqlDatabase: 'scaling_lab',
  mysqlReplicationUser: 'replicator',
  s3Bucket: 'scaling-lab',
  s3Region: 'us-east-1',
  s3AccessKeyId: 'scalinglab',
  healthPath: '/health/ready',
} as const;

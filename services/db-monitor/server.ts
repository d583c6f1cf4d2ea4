/**
 * The db-monitor process (DB_FAILOVER=auto): parses its configuration once, runs the monitor loop
 * (monitor.ts) and a small listener: /health/ready, /status.json and Prometheus /metrics. On
 * SIGTERM/SIGINT it stops deciding, lets a promotion in progress finish, then exits 0.
 */
import { createServer } from 'node:http';
import { ConfigError } from '../shared/config/env.ts';
import { createLogger } from '../shared/logger.ts';
import { type DbMonitorConfig, loadDbMonitorConfig } from './config.ts';
import { DbMonitor, type MonitorView } from './monitor.ts';

const GRACE_MS = 30_000;

function metricsText(v: MonitorView): string {
  const writerUp = v.decision?.kind === 'healthy' ? 1 : 0;
  return [
    '# HELP db_monitor_writer_up Whether the writer named by the newest topology record answers.',
    '# TYPE db_monitor_writer_up gauge',
    `db_monitor_writer_up ${writerUp}`,
    '# HELP db_monitor_epoch The newest topology record epoch seen.',
    '# TYPE db_monitor_epoch gauge',
    `db_monitor_epoch ${v.epoch}`,
    '# HELP db_monitor_failovers_total Promotions made by this monitor.',
    '# TYPE db_monitor_failovers_total counter',
    `db_monitor_failovers_total ${v.failovers}`,
    '# HELP db_monitor_fenced_total Writable servers that were not the writer, made read-only.',
    '# TYPE db_monitor_fenced_total counter',
    `db_monitor_fenced_total ${v.fenced}`,
    '# HELP db_monitor_server_up Whether each MariaDB server answered the last round.',
    '# TYPE db_monitor_server_up gauge',
    ...v.servers.map((s) => `db_monitor_server_up{server="${s.name}"} ${s.up ? 1 : 0}`),
    '',
  ].join('\n');
}

let config: DbMonitorConfig;
try {
  config = loadDbMonitorConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`db-monitor: ${error.message}\n`);
  process.exit(2);
}
const logger = createLogger({
  service: 'db-monitor',
  instance: 'db-monitor',
  level: config.logLevel,
});
const monitor = new DbMonitor(
  config.tier,
  config.failoverAfterMs,
  config.intervalMs,
  config.acts,
  logger,
);
let stopping = false;

const server = createServer((req, res) => {
  const send = (status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };
  if (req.url === '/health/ready')
    send(stopping ? 503 : 200, 'application/json', JSON.stringify({ ready: !stopping }));
  else if (req.url === '/status.json')
    send(
      200,
      'application/json',
      JSON.stringify({
        acts: config.acts,
        failoverAfterMs: config.failoverAfterMs,
        ...monitor.view,
      }),
    );
  else if (req.url === '/metrics')
    send(200, 'text/plain; version=0.0.4', metricsText(monitor.view));
  else send(404, 'application/json', JSON.stringify({ error: 'not found' }));
});
server.requestTimeout = 5000;

const stop = async (signal: string) => {
  if (stopping) process.exit(1);
  stopping = true;
  logger.info({ signal }, 'shutting down: no new decisions');
  setTimeout(() => process.exit(1), GRACE_MS).unref();
  await monitor.stop();
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

server.listen(config.port, config.host, () => {
  monitor.start();
  logger.info(
    {
      failoverAfterMs: config.failoverAfterMs,
      servers: config.tier.servers.map((s) => `${s.host}:${s.port}`),
    },
    'db-monitor ready',
  );
});

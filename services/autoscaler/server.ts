/**
 * The autoscaler process: parses configuration once, picks the actuator (the runner's control
 * socket natively, the Docker Engine API in compose), starts the decision loop and the metrics
 * listener. On SIGTERM/SIGINT readiness turns 503, the loop stops deciding and waits for a scaling
 * action in progress (bounded by AUTOSCALE_ACTUATION_TIMEOUT_MS), then the listener closes. A
 * second signal exits at once.
 */
import { ConfigError } from '../shared/config/env.ts';
import { createLogger } from '../shared/logger.ts';
import type { Actuator } from './actuators/actuator.ts';
import { dockerActuator } from './actuators/docker.ts';
import { runnerActuator } from './actuators/runner.ts';
import { buildApp } from './app.ts';
import { type AutoscalerConfig, loadAutoscalerConfig } from './config.ts';
import { Autoscaler } from './loop.ts';
import { createMetrics } from './metrics.ts';

function actuatorOf(c: AutoscalerConfig): Actuator {
  const timeouts = { readMs: c.signalTimeoutMs, actMs: c.actuationTimeoutMs };
  if (c.actuator.kind === 'runner') return runnerActuator(c.actuator.path, timeouts);
  return dockerActuator({
    socketPath: c.actuator.path,
    project: c.composeProject,
    pools: c.pools,
    readTimeoutMs: c.signalTimeoutMs * 4,
    actTimeoutMs: c.actuationTimeoutMs,
    stopGraceS: c.stopGraceS,
    slowStartMs: c.slowStartMs,
  });
}

async function main(): Promise<void> {
  let config: AutoscalerConfig;
  try {
    config = loadAutoscalerConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`autoscaler: ${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger({
    service: 'autoscaler',
    instance: 'autoscaler',
    level: config.logLevel,
  });
  const metrics = createMetrics();
  const loop = new Autoscaler(config, actuatorOf(config), metrics, logger);
  let ready = false;
  let stopping = false;
  const app = buildApp({ config, loop, metrics, logger, ready: () => ready && !stopping });

  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: no new decisions, waiting for actions in progress');
    setTimeout(() => {
      logger.error('shutdown grace period over: exiting');
      process.exit(1);
    }, config.actuationTimeoutMs + 5000).unref();
    await loop.stop();
    await app.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
  await loop
    .tickOnce()
    .catch((error: unknown) => logger.warn({ err: String(error) }, 'first round'));
  ready = true;
  loop.start();
  logger.info(
    {
      enabled: config.enabled,
      actuator: config.actuator.kind,
      pools: config.pools,
      metric: config.metric,
      policy: config.policy,
    },
    'autoscaler ready',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `autoscaler: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});

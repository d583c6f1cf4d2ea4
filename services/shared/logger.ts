/**
 * JSON-lines logging (pino) with the fields every service shares. The LB's request id travels in
 * `X-Request-Id`; services log it as `reqId` so one request can be followed across hops.
 */
import { type LevelWithSilent, type Logger, pino } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface LoggerOptions {
  readonly service: string;
  readonly instance: string;
  readonly level: LevelWithSilent;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino({
    level: options.level,
    base: { service: options.service, instance: options.instance },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
      remove: true,
    },
  });
}

export type { Logger };

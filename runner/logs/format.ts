/**
 * Condenses one line of a process's output into `time name LEVEL msg key=value ...` for the
 * terminal. Pure. Understands pino JSON lines (our services), MariaDB's and Redis's own formats,
 * and shows anything else as it is.
 */

export interface FormatOptions {
  /** Width the service name is padded to, so columns line up. */
  readonly nameWidth: number;
  /** Time to show for lines that carry none (`HH:MM:SS.mmm`). */
  readonly now: Date;
}

const PINO_LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Fields every service line carries that add nothing on a terminal. */
const HIDDEN = new Set(['level', 'time', 'msg', 'service', 'instance', 'pid', 'hostname', 'v']);

const pad2 = (n: number) => String(n).padStart(2, '0');

export function clock(date: Date): string {
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

function levelOf(value: unknown): string {
  if (typeof value === 'number') return PINO_LEVELS[value] ?? String(value);
  if (typeof value === 'string') return value.toUpperCase();
  return 'INFO';
}

function showValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value instanceof Object) {
    const err = value as { message?: unknown; type?: unknown };
    if (typeof err.message === 'string' && typeof err.type === 'string')
      return JSON.stringify(`${err.type}: ${err.message}`);
    return JSON.stringify(value);
  }
  return String(value);
}

function timeOf(value: unknown, fallback: Date): string {
  if (typeof value === 'string' || typeof value === 'number') {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return clock(date);
  }
  return clock(fallback);
}

function fromJson(record: Record<string, unknown>, now: Date): [string, string, string] {
  const fields = Object.entries(record)
    .filter(([key, value]) => !HIDDEN.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${showValue(value)}`);
  const msg = typeof record.msg === 'string' ? record.msg : '';
  return [timeOf(record.time, now), levelOf(record.level), [msg, ...fields].join(' ').trim()];
}

// 2026-11-22 15:28:11 0 [Note] InnoDB: ...
const MARIADB = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \d+ \[(Note|Warning|ERROR|System)\] (.*)$/;
const MARIADB_LEVEL: Readonly<Record<string, string>> = {
  Note: 'INFO',
  System: 'INFO',
  Warning: 'WARN',
  ERROR: 'ERROR',
};
// 1234:M 22 Nov 2026 15:28:11.123 * Ready to accept connections tcp
const REDIS = /^\d+:[XCSM] \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} ([.\-*#]) (.*)$/;
const REDIS_LEVEL: Readonly<Record<string, string>> = {
  '.': 'DEBUG',
  '-': 'INFO',
  '*': 'INFO',
  '#': 'WARN',
};

function parse(line: string, now: Date): [string, string, string] {
  if (line.startsWith('{')) {
    try {
      const record: unknown = JSON.parse(line);
      if (record !== null && typeof record === 'object' && !Array.isArray(record))
        return fromJson(record as Record<string, unknown>, now);
    } catch {
      // not JSON after all: shown as it is
    }
  }
  const maria = MARIADB.exec(line);
  if (maria) return [clock(now), MARIADB_LEVEL[maria[1] ?? ''] ?? 'INFO', maria[2] ?? ''];
  const redis = REDIS.exec(line);
  if (redis) return [clock(now), REDIS_LEVEL[redis[1] ?? ''] ?? 'INFO', redis[2] ?? ''];
  return [clock(now), '', line];
}

/** One terminal line for one line of `name`'s output. */
export function formatLogLine(name: string, line: string, options: FormatOptions): string {
  const [time, level, text] = parse(line.replace(/\r$/, ''), options.now);
  const parts = [time, name.padEnd(options.nameWidth), level.padEnd(5), text];
  return parts.join(' ').trimEnd();
}

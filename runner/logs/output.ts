/**
 * What the runner prints: its own messages and the condensed lines of every process, through the
 * same formatter, on one stream. Its own messages are also kept as JSON lines in
 * `<stackDir>/runner.log`.
 */
import { appendFileSync } from 'node:fs';
import { formatLogLine } from './format.ts';

export type Level = 'info' | 'warn' | 'error';
export type Fields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Output {
  say(level: Level, msg: string, fields?: Fields): void;
  /** A line of a process's output. */
  line(name: string, text: string): void;
  /** Text printed as it is (the banner with the entry URL). */
  plain(text: string): void;
  /** Where the runner's own JSON lines go, once the stack directory exists. */
  keepLog(file: string): void;
  nameWidth: number;
}

export interface OutputOptions {
  readonly write: (text: string) => void;
  /** `quiet`: no process lines; the runner's own warnings and errors still show. */
  readonly mode: 'stream' | 'quiet';
}

export function createOutput(options: OutputOptions): Output {
  let logFile: string | undefined;
  const out: Output = {
    nameWidth: 15,
    say(level, msg, fields = {}) {
      const record = { level, time: new Date().toISOString(), msg, ...fields };
      const json = JSON.stringify(record);
      if (logFile) {
        try {
          appendFileSync(logFile, `${json}\n`);
        } catch {
          // the stack directory is gone (removed by a test, or by hand): the terminal still gets it
        }
      }
      if (options.mode === 'quiet' && level === 'info') return;
      options.write(
        `${formatLogLine('runner', json, { nameWidth: out.nameWidth, now: new Date() })}\n`,
      );
    },
    line(name, text) {
      if (options.mode === 'quiet') return;
      options.write(
        `${formatLogLine(name, text, { nameWidth: out.nameWidth, now: new Date() })}\n`,
      );
    },
    plain(text) {
      options.write(`${text}\n`);
    },
    keepLog(file) {
      logFile = file;
    },
  };
  return out;
}

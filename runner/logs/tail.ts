/**
 * Follows the log files of the stack's processes and hands every new complete line to `emit`.
 * Processes write their own files (they outlive a killed runner); the runner only reads them,
 * starting from the size each file had when it was added, so old runs are not replayed.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

interface Followed {
  readonly name: string;
  readonly file: string;
  offset: number;
  partial: string;
}

export class LogTail {
  private readonly followed: Followed[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly emit: (name: string, line: string) => void;

  constructor(emit: (name: string, line: string) => void) {
    this.emit = emit;
  }

  /** Follows `file` from its current end; a file already followed (a restart) is not added twice. */
  add(name: string, file: string): void {
    if (this.followed.some((f) => f.name === name && f.file === file)) return;
    let offset = 0;
    try {
      offset = statSync(file).size;
    } catch {
      // not created yet: follow from its start
    }
    this.followed.push({ name, file, offset, partial: '' });
  }

  start(intervalMs = 200): void {
    this.timer ??= setInterval(() => this.poll(), intervalMs);
    this.timer.unref();
  }

  /** Reads what is left (including a last line without newline) and stops following. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.poll();
    for (const f of this.followed) {
      if (f.partial !== '') this.emit(f.name, f.partial);
      f.partial = '';
    }
  }

  poll(): void {
    for (const f of this.followed) this.read(f);
  }

  private read(f: Followed): void {
    let fd: number;
    try {
      fd = openSync(f.file, 'r');
    } catch {
      return;
    }
    try {
      const size = statSync(f.file).size;
      if (size < f.offset) f.offset = 0;
      while (f.offset < size) {
        const buffer = Buffer.alloc(Math.min(size - f.offset, 1 << 20));
        const n = readSync(fd, buffer, 0, buffer.length, f.offset);
        if (n <= 0) break;
        f.offset += n;
        const lines = (f.partial + buffer.subarray(0, n).toString('utf8')).split('\n');
        f.partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') this.emit(f.name, line);
      }
    } finally {
      closeSync(fd);
    }
  }
}

/** The last `n` lines of a log file, for error messages. */
export function lastLines(file: string, n: number): string[] {
  try {
    const fd = openSync(file, 'r');
    try {
      const size = statSync(file).size;
      const length = Math.min(size, 64 * 1024);
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, size - length);
      return buffer
        .toString('utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .slice(-n);
    } finally {
      closeSync(fd);
    }
  } catch {
    return [];
  }
}

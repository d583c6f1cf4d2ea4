/** The progress line on the terminal while a load runs (one line rewritten; every 5 s otherwise). */
import type { Progress } from '../run/run-load.ts';

export function progressLine(scenario: string): (label: string) => Progress {
  const tty = process.stderr.isTTY;
  return (label) => (p) => {
    const line = `  ${scenario} ${label}  ${p.second} s  ${p.rps} req/s  p99 ${p.p99.toFixed(0)} ms  errors ${p.errors}`;
    if (tty) process.stderr.write(`\r${line.padEnd(79)}`);
    else if (p.second % 5 === 0) process.stderr.write(`${line}\n`);
  };
}

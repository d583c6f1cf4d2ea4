/**
 * `make load SCENARIO=read-heavy [MODE=rate|capacity|ramp] [RATE=200] [DURATION=20] ...`: loads the
 * running native stack (found through STACK_FILE, default .stack/stack.json) and reports latency,
 * throughput, errors, the generator's own CPU, the components' samples and the bottleneck. Writes
 * RESULTS_DIR/load-<time>/result.json. See loadtest/README.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../services/shared/config/env.ts';
import { verdictLines } from '../sample/verdict-text.ts';
import { offeringSeconds, parseLoadConfig } from './config.ts';
import { measure } from './measure.ts';
import { progressLine } from './progress.ts';
import { textReport } from './text-report.ts';

async function main(): Promise<void> {
  const config = parseLoadConfig(process.env);
  const say = (t: string) => process.stderr.write(`${t}\n`);
  say(
    `load: ${config.SCENARIO}, mode ${config.MODE}, at most ${offeringSeconds(config)} s of load`,
  );
  const report = await measure(config, progressLine(config.SCENARIO), say);
  if (process.stderr.isTTY) process.stderr.write('\n');
  const dir = join(config.RESULTS_DIR, `load-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'result.json'), `${JSON.stringify(report, null, 2)}\n`);
  const text = [
    textReport(report),
    '',
    ...verdictLines(report.verdict, report.machineBusy, report.busyScope),
  ].join('\n');
  process.stdout.write(`${text}\n\nwritten: ${join(dir, 'result.json')}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`load: ${error.message}\n`);
  else
    process.stderr.write(
      `load failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  process.exit(error instanceof ConfigError ? 2 : 1);
});

/**
 * `make drill [NAME=<drill>[,<drill>...]] [LIST=1]`: runs fault drills against the running native
 * stack (STACK_DIR's stack.json, as `make local` leaves it) and prints, per drill, the errors by
 * status and code, time to detect and to recover, p99 during the fault and each expectation of
 * RELIABILITY.md next to its measurement; then a Markdown table. Exit code 1 when a drill fails
 * (a lost or duplicated write always fails it).
 */

import { Agent } from 'undici';
import { findRepoDir } from '../../runner/host/repo-dir.ts';
import { ConfigError } from '../../services/shared/config/env.ts';
import { createAccounts } from '../mixed-load/accounts.ts';
import { DRILLS, drillNamed } from './catalog/index.ts';
import { loadDrillConfig } from './config.ts';
import { formatResult, markdownTable } from './report.ts';
import { DEFAULT_TIMING, type DrillResult, runDrill } from './run-drill.ts';
import { lbCertificate, readStackFile } from './stack.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const config = loadDrillConfig(process.env, findRepoDir());
  if (config.list) {
    for (const d of DRILLS) say(`${d.name.padEnd(18)} ${d.row}`);
    return 0;
  }
  const drills = config.names.length === 0 ? DRILLS : config.names.map(drillNamed);
  const stack = readStackFile(config.stackFile);
  if (stack.entry === null) throw new Error('the stack has no LB: drills need the whole stack');
  const ca = lbCertificate(stack);
  const dispatcher = new Agent({ connect: { ca } });
  const accounts = await createAccounts(stack.entry, dispatcher, config.users);
  await dispatcher.close();
  say(`drills against ${stack.entry} (STAGE=${stack.flags.STAGE}, ${config.users} users)`);
  const results: DrillResult[] = [];
  for (const drill of drills) {
    const result = await runDrill(
      { stack, ca, accounts },
      drill,
      { ...DEFAULT_TIMING, scale: config.scale },
      (line) => say(`   … ${line}`),
    );
    say(formatResult(result));
    results.push(result);
  }
  say('');
  say(markdownTable(results));
  const failed = results.filter((r) => !r.pass);
  say(
    `\n${results.length - failed.length} of ${results.length} passed${failed.length ? `; FAILED: ${failed.map((r) => r.name).join(', ')}` : ''}`,
  );
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const text =
      error instanceof ConfigError ? error.problems.join('\n') : (error as Error).message;
    process.stderr.write(`drill: ${text}\n`);
    process.exit(2);
  },
);

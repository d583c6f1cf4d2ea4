/**
 * `node dist/runner/cli.js <command>` (make local / down / stop / start / restart).
 *
 * up [--detach]      starts the stack for STAGE and the flags and supervises it (restarts what
 *                    dies). In the foreground it streams logs until Ctrl-C (twice: kill at once);
 *                    with --detach or STACK_DETACH=true it returns once the stack is ready and a
 *                    daemon runner stays on supervising it.
 * down               stops the stack in STACK_DIR (its runner, or the recorded pids).
 * status             shows what runs in STACK_DIR: state, pid, restarts.
 * stop|start|restart <service>   one service of the running stack, through its runner.
 */
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../services/shared/config/env.ts';
import { startInBackground } from './cli/background.ts';
import { isServiceVerb, runServiceCommand } from './cli/one-service.ts';
import { fail, runStack } from './cli/run-stack.ts';
import { stackPaths } from './host/paths.ts';
import { findRepoDir } from './host/repo-dir.ts';
import { createOutput } from './logs/output.ts';
import { parseRunnerConfig, type RunnerConfig } from './plan/config.ts';
import { down } from './stack/down.ts';
import { status } from './stack/status.ts';

const USAGE = 'usage: cli.js up [--detach] | down | status | stop|start|restart <service>';

async function main(): Promise<void> {
  const [command = 'up', ...rest] = process.argv.slice(2);
  let write = (text: string) => {
    process.stdout.write(text);
  };
  // A daemon whose parent has gone must not die of a closed pipe.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  const out = createOutput({ write: (text) => write(text), mode: 'stream' });
  let config: RunnerConfig;
  try {
    config = parseRunnerConfig(process.env, findRepoDir());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const quiet = createOutput({ write: (text) => write(text), mode: config.logs });
  const stackFile = stackPaths(config.stackDir).stackFile;
  if (command === 'up' && rest.length === 1 && rest[0] === '--daemon')
    return runStack(config, 'daemon', quiet, () => {
      write = () => undefined;
    });
  if (command === 'up' && rest.every((a) => a === '--detach')) {
    if (config.detach || rest.includes('--detach'))
      return startInBackground(fileURLToPath(import.meta.url), quiet);
    return runStack(config, 'foreground', quiet, () => undefined);
  }
  if (isServiceVerb(command) && rest.length <= 1)
    process.exit(await runServiceCommand(command, rest[0], stackFile, out));
  if (command === 'down') {
    const result = await down(config.stackDir, config.stopGraceMs, out).catch((e: unknown) =>
      fail(e, out),
    );
    out.say(
      result.left.length > 0 ? 'error' : 'info',
      result.byRunner
        ? 'the runner stopped the stack'
        : result.stopped === 0 && result.left.length === 0
          ? `nothing running in ${config.stackDir}`
          : `stopped ${result.stopped} processes`,
      result.left.length > 0 ? { left: result.left.map((r) => r.name).join(',') } : {},
    );
    process.exit(result.left.length > 0 ? 1 : 0);
  }
  if (command === 'status') {
    const s = status(config.stackDir);
    out.plain(s.running ? `running${s.entry ? `: ${s.entry}` : ''}` : 'not running');
    for (const line of s.services)
      out.plain(
        `  ${line.name.padEnd(16)} ${line.state.padEnd(10)} pid ${String(line.pid ?? '-').padEnd(7)} restarts ${line.restarts}  ${line.url ?? ''}`,
      );
    process.exit(s.running ? 0 : 3);
  }
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

await main();

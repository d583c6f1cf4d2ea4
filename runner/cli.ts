/**
 * `node dist/runner/cli.js up|down|status [--detach]` (make local / make down).
 *
 * up      starts the stack for STAGE and the flags; stays in the foreground streaming logs until
 *         Ctrl-C (a second Ctrl-C kills at once). With --detach or STACK_DETACH=true it returns
 *         once the stack is ready and `down` stops it.
 * down    stops the stack in STACK_DIR by the pids it recorded.
 * status  shows what runs in STACK_DIR.
 */
import { performance } from 'node:perf_hooks';
import { ConfigError } from '../services/shared/config/env.ts';
import { findRepoDir } from './host/repo-dir.ts';
import { createOutput, type Output } from './logs/output.ts';
import { parseRunnerConfig, type RunnerConfig } from './plan/config.ts';
import { down } from './stack/down.ts';
import { status } from './stack/status.ts';
import { up } from './stack/up.ts';

const USAGE = 'usage: cli.js up [--detach] | down | status';

function fail(error: unknown, out: Output): never {
  const code = (error as { code?: unknown }).code;
  out.say('error', (error as Error).message ?? String(error), {
    code: typeof code === 'string' ? code : 'STACK_ERR_FAILED',
  });
  process.exit(1);
}

function banner(entry: string | null, seconds: string, detached: boolean, out: Output): void {
  out.plain('');
  if (entry) out.plain(`  stack is up: ${entry}  (self-signed certificate)`);
  out.plain(`  ready in ${seconds} s`);
  out.plain(
    detached
      ? '  running in the background: `make down` stops it'
      : '  Ctrl-C stops it (twice: at once)',
  );
  out.plain('');
}

async function runUp(config: RunnerConfig, detach: boolean, out: Output): Promise<void> {
  const startup = new AbortController();
  const hurry = new AbortController();
  let stack: Awaited<ReturnType<typeof up>> | undefined;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      out.say('info', `${signal}: stopping the stack (again to kill at once)`);
      if (stack === undefined) startup.abort(new Error(`interrupted by ${signal}`));
      else
        stack.stop({ hurry: hurry.signal }).then(
          () => process.exit(0),
          (error: unknown) => fail(error, out),
        );
    } else {
      out.say('warn', `${signal} again: killing every process now`);
      hurry.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    stack = await up({ config, out, signal: startup.signal, detached: detach });
  } catch (error) {
    fail(error, out);
  }
  if (detach) stack.detach();
  // From the moment this command started (performance.now() counts from process start).
  banner(stack.info.entry, (performance.now() / 1000).toFixed(1), detach, out);
  if (detach) process.exit(0);
  if (signals > 0) await stack.stop({ hurry: hurry.signal }).then(() => process.exit(0));
  // Foreground: the log tail's timer is unref'd, so hold the process open until a signal.
  setInterval(() => undefined, 1 << 30);
}

async function main(): Promise<void> {
  const [command = 'up', ...rest] = process.argv.slice(2);
  const out = createOutput({ write: (text) => process.stdout.write(text), mode: 'stream' });
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
  const quiet = createOutput({
    write: (text) => process.stdout.write(text),
    mode: config.logs,
  });
  switch (command) {
    case 'up':
      if (rest.some((a) => a !== '--detach')) break;
      return runUp(config, config.detach || rest.includes('--detach'), quiet);
    case 'down': {
      const result = await down(config.stackDir, config.stopGraceMs, out).catch((e: unknown) =>
        fail(e, out),
      );
      out.say(
        result.left.length > 0 ? 'error' : 'info',
        result.stopped === 0 && result.left.length === 0
          ? `nothing running in ${config.stackDir}`
          : `stopped ${result.stopped} processes`,
        result.left.length > 0 ? { left: result.left.map((r) => r.name).join(',') } : {},
      );
      process.exit(result.left.length > 0 ? 1 : 0);
      return;
    }
    case 'status': {
      const s = status(config.stackDir);
      out.plain(s.running ? `running${s.entry ? `: ${s.entry}` : ''}` : 'not running');
      for (const line of s.services)
        out.plain(
          `  ${line.name.padEnd(16)} ${line.state.padEnd(8)} pid ${line.pid}  ${line.url ?? ''}`,
        );
      process.exit(s.running ? 0 : 3);
      return;
    }
  }
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

await main();

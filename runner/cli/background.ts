/**
 * `up --detach`: starts the runner again as a daemon (its own session, no terminal) that starts
 * and then supervises the stack, relays its output here until the stack is ready, prints the
 * banner and returns. The daemon stays: it restarts what dies and answers `make stop|start|
 * restart`; `make down` stops it and the stack. Ctrl-C here during start-up stops the daemon.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { Output } from '../logs/output.ts';
import { banner, type ReadyMessage } from './run-stack.ts';

export const DAEMON_FLAG = '--daemon';

export async function startInBackground(cliPath: string, out: Output): Promise<never> {
  const child = spawn(process.execPath, [cliPath, 'up', DAEMON_FLAG], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: process.env,
  });
  child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(chunk));
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const forward = (signal: NodeJS.Signals) => {
    out.say('info', `${signal}: stopping the starting stack`);
    child.kill('SIGTERM');
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const outcome = await new Promise<{ ready: ReadyMessage } | { code: number }>((resolve) => {
    child.on('message', (message: ReadyMessage) => {
      if (message.type === 'ready') resolve({ ready: message });
    });
    child.once('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0) }));
  });
  if ('code' in outcome) process.exit(outcome.code === 0 ? 1 : outcome.code);
  banner(outcome.ready.entry, (performance.now() / 1000).toFixed(1), true, out);
  if (child.connected) child.disconnect();
  child.stdout?.destroy();
  child.stderr?.destroy();
  child.unref();
  process.exit(0);
}

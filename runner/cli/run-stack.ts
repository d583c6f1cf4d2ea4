/**
 * `up` in this process: starts the stack and supervises it until a signal stops it. In the
 * foreground it streams every process's log lines until Ctrl-C (a second Ctrl-C kills at once).
 * As the daemon of `up --detach` it speaks to its parent (background.ts) until the stack is ready,
 * then goes quiet and stays on as the supervisor: `make down` (SIGTERM) stops it and the stack.
 */
import { performance } from 'node:perf_hooks';
import type { Output } from '../logs/output.ts';
import type { RunnerConfig } from '../plan/config.ts';
import { type RunningStack, up } from '../stack/up.ts';

export type RunMode = 'foreground' | 'daemon';

/** What the daemon tells its parent once the stack is ready. */
export interface ReadyMessage {
  readonly type: 'ready';
  readonly entry: string | null;
}

export function fail(error: unknown, out: Output): never {
  const code = (error as { code?: unknown }).code;
  out.say('error', (error as Error).message ?? String(error), {
    code: typeof code === 'string' ? code : 'STACK_ERR_FAILED',
  });
  process.exit(1);
}

export function banner(entry: string | null, seconds: string, detached: boolean, out: Output) {
  out.plain('');
  if (entry) out.plain(`  stack is up: ${entry}  (self-signed certificate)`);
  out.plain(`  ready in ${seconds} s`);
  out.plain(
    detached
      ? '  running in the background, supervised: `make down` stops it'
      : '  Ctrl-C stops it (twice: at once)',
  );
  out.plain('');
}

export async function runStack(
  config: RunnerConfig,
  mode: RunMode,
  out: Output,
  goQuiet: () => void,
): Promise<void> {
  const startup = new AbortController();
  const hurry = new AbortController();
  let stack: RunningStack | undefined;
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
  // The daemon has no terminal: a hang-up of the session that started it is not a stop.
  if (mode === 'daemon') process.on('SIGHUP', () => undefined);
  try {
    stack = await up({ config, out, signal: startup.signal, detached: mode === 'daemon' });
  } catch (error) {
    fail(error, out);
  }
  if (mode === 'daemon') {
    goQuiet();
    stack.quiet();
    const ready: ReadyMessage = { type: 'ready', entry: stack.info.entry };
    process.send?.(ready, () => process.disconnect?.());
  } else {
    // From the moment this command started (performance.now() counts from process start).
    banner(stack.info.entry, (performance.now() / 1000).toFixed(1), false, out);
  }
  if (signals > 0) await stack.stop({ hurry: hurry.signal }).then(() => process.exit(0));
  // The log tail's timer is unref'd: hold the process open until a signal.
  setInterval(() => undefined, 1 << 30);
}

/**
 * Runs `make reshard`'s script as a child process against a stack (as an operator would), and
 * reads its result line. From TypeScript sources (tests) it runs through tsx, from dist as .js.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ReshardResult {
  readonly job: number;
  readonly rowsCopied: number;
  readonly copyMs: number;
  readonly rowsPerSecond: number;
  readonly pauseMs?: number;
  readonly rowsDeleted: number;
  readonly mapVersion: number;
  readonly snapshotGtid: string;
  readonly resumedFrom?: string;
}

export interface ScriptRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly result: ReshardResult | undefined;
}

const fromSource = import.meta.url.endsWith('.ts');

export function runReshardScript(
  stackFile: string,
  env: Record<string, string>,
  timeoutMs = 300_000,
): Promise<ScriptRun> {
  const script = fileURLToPath(
    new URL(`../../scripts/reshard.${fromSource ? 'ts' : 'js'}`, import.meta.url),
  );
  const child = spawn(process.execPath, [...(fromSource ? ['--import', 'tsx'] : []), script], {
    env: { ...process.env, STACK_FILE: stackFile, MOVE: '', TO: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('RESHARD_RESULT '));
      resolve({
        code,
        stdout,
        stderr,
        result:
          line === undefined
            ? undefined
            : (JSON.parse(line.slice('RESHARD_RESULT '.length)) as ReshardResult),
      });
    });
  });
}

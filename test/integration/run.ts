/**
 * The integration-test entry (`npm run test:integration [-- paths...]`): builds, starts ONE shared
 * native stack on free ports in a temporary stack directory, exports its stack.json as STACK_FILE,
 * runs every test/integration/**\/*.test.ts (or the given files/folders) with node:test, and stops
 * the stack afterwards, also on failure or Ctrl-C. The exit code is the tests'.
 *
 * The shared stack is stage 4 with small pools: primary + 2 replicas, Redis, the S3 store,
 * WEB_REPLICAS=2, READ_API_REPLICAS=1, WRITE_API_REPLICAS=1, and the LB.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { findRepoDir } from '../../runner/host/repo-dir.ts';
import { ENTRY_POINTS } from '../../runner/plan/launch-spec.ts';
import { type StartedStack, startStack } from '../../runner/stack/api.ts';
import { baseStackEnv, STACK_FILE_VARIABLE } from '../support/stack.ts';

const SHARED_STACK = {
  STAGE: '4',
  WEB_REPLICAS: '2',
  READ_API_REPLICAS: '1',
  WRITE_API_REPLICAS: '1',
} as const;
/** Two cores: two test files at a time next to the stack's own processes. */
const CONCURRENCY = 2;
const TEST_TIMEOUT_MS = 300_000;

const repo = findRepoDir();
const say = (text: string) => process.stderr.write(`integration: ${text}\n`);

function testFiles(args: readonly string[]): string[] {
  const roots = args.length > 0 ? args.map((a) => resolve(a)) : [join(repo, 'test/integration')];
  const found: string[] = [];
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) walk(join(path, entry));
    } else if (path.endsWith('.test.ts')) found.push(path);
  };
  for (const root of roots) walk(root);
  return found;
}

function build(): void {
  const t = performance.now();
  const result = spawnSync(
    process.execPath,
    [join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: repo, stdio: 'inherit' },
  );
  if (result.status !== 0)
    say('the build reported errors (above): testing what it emitted; `npm run typecheck` fails');
  else say(`built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

function runTests(files: readonly string[], stackFile: string): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      `--test-concurrency=${CONCURRENCY}`,
      `--test-timeout=${TEST_TIMEOUT_MS}`,
      // A file whose test timed out can leave handles open; without this the runner waits forever.
      '--test-force-exit',
      ...files,
    ],
    { cwd: repo, stdio: 'inherit', env: { ...process.env, [STACK_FILE_VARIABLE]: stackFile } },
  );
}

async function main(): Promise<number> {
  const files = testFiles(process.argv.slice(2));
  if (files.length === 0) {
    say('no test files found');
    return 1;
  }
  build();
  const appsBuilt = [ENTRY_POINTS.web, ENTRY_POINTS.lb].every((p) => existsSync(join(repo, p)));
  if (!appsBuilt)
    say('services/web or services/lb is not built: the shared stack is the data tier only');
  const stackDir = mkdtempSync(join(tmpdir(), 'scaling-lab-it-'));
  const t = performance.now();
  let stack: StartedStack | undefined;
  let child: ChildProcess | undefined;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    say(`${signal}: stopping the tests and the stack`);
    child?.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let code = 1;
  try {
    stack = await startStack({
      env: { ...baseStackEnv(), ...SHARED_STACK },
      stackDir,
      portBase: 'auto',
      logs: 'quiet',
      ...(appsBuilt ? {} : { only: (s) => s.kind !== 'web' && s.kind !== 'lb' }),
    });
    say(
      `shared stack up in ${((performance.now() - t) / 1000).toFixed(1)} s: ${stack.info.entry ?? '(no LB)'}, port base ${stack.portBase}, ${relative(repo, stackDir) || stackDir}`,
    );
    if (interrupted) return 130;
    say(`running ${files.length} test files`);
    child = runTests(files, stack.stackFile);
    const running = child;
    code = await new Promise<number>((done) =>
      running.once('exit', (c, signal) => done(c ?? (signal ? 128 : 1))),
    );
  } catch (error) {
    say(`could not start the shared stack: ${(error as Error).message}`);
    code = 1;
  } finally {
    if (stack) {
      const ts = performance.now();
      await stack.stop();
      say(`shared stack stopped in ${((performance.now() - ts) / 1000).toFixed(1)} s`);
    }
    if (code === 0) rmSync(stackDir, { recursive: true, force: true });
    else say(`kept ${stackDir} (logs of every process) for a look`);
  }
  return interrupted ? 130 : code;
}

process.exitCode = await main();

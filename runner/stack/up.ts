/**
 * `up`: from a stack directory (empty, stopped, or left by a crash) to a running stack whose every
 * process answered its readiness probe, described in stack.json. Instances start as soon as what
 * they depend on is ready (parallel where the plan allows). If anything fails, everything started
 * so far is stopped again and the error names the service and shows its last log lines.
 */
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { PlannedService, StackPlan } from '../../services/shared/topology/plan.ts';
import { findBinaries } from '../host/binaries.ts';
import { type Boxes, removeBoxes, setUpBoxes } from '../host/boxes.ts';
import { ensureStackCertificate } from '../host/certificate.ts';
import { ensureMysqlTemplate } from '../host/data-dirs.ts';
import { stackPaths } from '../host/paths.ts';
import { checkPortsFree } from '../host/ports.ts';
import { ensureSecrets, readSecret, type SecretFiles } from '../host/secrets.ts';
import type { Output } from '../logs/output.ts';
import { LogTail } from '../logs/tail.ts';
import type { RunnerConfig } from '../plan/config.ts';
import type { Binaries, LaunchContext } from '../plan/launch-spec.ts';
import {
  checkBuilt,
  neededBinaries,
  planFor,
  reportFlags,
  restrictedPlan,
} from '../plan/preflight.ts';
import { waves } from '../plan/start-order.ts';
import { recover, wasDetached } from '../process/crash-recovery/clean-up.ts';
import type { Launched } from '../process/launch.ts';
import { lockStack, removeRecord, runnerLogFile } from '../process/records.ts';
import { startService } from '../process/service-start.ts';
import { stopProcesses } from '../process/signal-waves.ts';
import { writeStartingMembers } from '../scaling/member-files.ts';
import { type RunningStack, running } from './running-stack.ts';

export type { RunningStack };
export { planFor };

export interface UpOptions {
  readonly config: RunnerConfig;
  readonly out: Output;
  /** Aborting it (Ctrl-C during start-up) stops what was started and rejects. */
  readonly signal?: AbortSignal;
  /** Recorded in stack.json: the runner will exit once the stack is up. */
  readonly detached?: boolean;
  /**
   * Tests only: start just the instances this accepts (dependencies on the others are dropped),
   * e.g. the data tier while the app services are not built. `make local` never sets it.
   */
  readonly only?: (s: PlannedService) => boolean;
}

export async function up(options: UpOptions): Promise<RunningStack> {
  const t0 = performance.now();
  const startedAt = new Date();
  const { config, out } = options;
  const stackDir = config.stackDir;
  const paths = stackPaths(stackDir);
  const flags = config.flags;
  reportFlags(flags, out);
  mkdirSync(stackDir, { recursive: true });
  out.keepLog(runnerLogFile(stackDir));
  const unlock = lockStack(stackDir, (holder) =>
    wasDetached(paths.stackFile)
      ? `this stack is already running (started detached, supervised by pid ${holder.pid}): \`make down\` stops it`
      : `another runner (pid ${holder.pid}) owns ${stackDir}: stop it with Ctrl-C there or \`make down\``,
  );
  try {
    await recover(stackDir, out, config.stopGraceMs);
    const fullPlan = planFor(config, config.portBase);
    const plan = restrictedPlan(fullPlan, options.only);
    checkBuilt(plan, config.repoDir);
    const binaries = findBinaries(config.baseEnv.PATH ?? '', neededBinaries(plan));
    await checkPortsFree(plan, config.portBase);
    const secrets = ensureSecrets(
      paths.secretsDir,
      config.externalS3 ? { 's3-secret-access-key': config.externalS3.secretAccessKey } : {},
    );
    ensureStackCertificate(fullPlan, stackDir);
    const boxes = setUpBoxes(plan.services, stackDir, flags.boxCpus);
    writeStartingMembers(plan, stackDir);
    if (!boxes.enforced) out.say('warn', `CPU quotas are not enforced: ${boxes.reason ?? ''}`);
    out.nameWidth = Math.max(6, ...plan.services.map((s) => s.name.length));
    return await startAll({ options, plan, binaries, secrets, boxes, unlock, t0, startedAt });
  } catch (error) {
    unlock();
    throw error;
  }
}

interface StartAllInput {
  readonly options: UpOptions;
  readonly plan: StackPlan;
  readonly binaries: Binaries;
  readonly secrets: SecretFiles;
  readonly boxes: Boxes;
  readonly unlock: () => void;
  readonly t0: number;
  readonly startedAt: Date;
}

async function startAll(input: StartAllInput): Promise<RunningStack> {
  const { options, plan, binaries, secrets, boxes, unlock } = input;
  const { config, out } = options;
  const stackDir = config.stackDir;
  const order = waves(plan.services);
  const launched = new Map<string, Launched>();
  const tail = new LogTail((name, line) => out.line(name, line));
  tail.start();
  const failed = new AbortController();
  options.signal?.addEventListener('abort', () => failed.abort(options.signal?.reason), {
    once: true,
  });
  const isRoot = process.getuid?.() === 0;
  const launch: LaunchContext = {
    repoDir: config.repoDir,
    stackDir,
    isRoot,
    node: process.execPath,
    binaries,
    logLevel: config.logLevel,
    baseEnv: config.baseEnv,
    webEnv: config.webEnv,
    autoscalerEnv: config.autoscalerEnv,
    dbMonitorEnv: config.dbMonitorEnv,
  };
  let template: Promise<string> | undefined;
  const mysqlTemplate = () => {
    template ??= ensureMysqlTemplate(stackDir, {
      installDb: binaries.mariadbInstallDb,
      repoDir: config.repoDir,
      isRoot,
    });
    return template;
  };
  if (plan.services.some((s) => s.kind === 'mysql-primary')) mysqlTemplate().catch(() => undefined);
  const context = (signal: AbortSignal) => ({
    launch,
    boxes,
    waves: order,
    readyTimeoutMs: config.readyTimeoutMs,
    mysqlTemplate,
    secret: (name: Parameters<typeof readSecret>[1]) => readSecret(secrets, name),
    signal,
    onLog: (name: string, file: string) => tail.add(name, file),
  });
  const ready = new Map<string, Promise<void>>();
  const startOne = (s: PlannedService): Promise<void> => {
    const known = ready.get(s.name);
    if (known) return known;
    const deps = s.dependsOn.map((d) => {
      const dep = plan.services.find((x) => x.name === d);
      if (dep === undefined) throw new Error(`${s.name} depends on unplanned ${d}`);
      return startOne(dep);
    });
    const promise = Promise.all(deps).then(async () => {
      const t = performance.now();
      await startService(s, context(failed.signal), (l) => launched.set(s.name, l));
      out.say('info', `${s.name} ${s.oneShot ? 'finished' : 'ready'}`, {
        ms: Math.round(performance.now() - t),
      });
    });
    promise.catch((error: unknown) => failed.abort(error));
    ready.set(s.name, promise);
    return promise;
  };
  // Standby slots (AUTOSCALE=on) start when the autoscaler asks the runner for them.
  const all = plan.services.filter((s) => s.standby !== true).map(startOne);
  const results = await Promise.allSettled(all);
  const firstError = failed.signal.aborted ? failed.signal.reason : undefined;
  const stopAll = async (stopOptions: { force?: boolean; hurry?: AbortSignal } = {}) => {
    const records = [...launched.values()].map((l) => l.record);
    await stopProcesses(records, {
      graceMs: config.stopGraceMs,
      ...stopOptions,
      onStopped: (r, how) => out.say('info', `${r.name} stopped`, { how }),
    });
    for (const r of records) removeRecord(stackDir, r.name);
    const left = removeBoxes(stackDir);
    if (left.length > 0) out.say('warn', 'cgroups left behind', { left: left.join(',') });
  };
  if (firstError !== undefined || results.some((r) => r.status === 'rejected')) {
    out.say('error', 'start-up failed: stopping what was started');
    await stopAll();
    tail.stop();
    unlock();
    throw (
      firstError ?? (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason
    );
  }
  try {
    return await running({
      config,
      out,
      detached: options.detached ?? false,
      plan,
      secrets,
      boxes,
      unlock,
      t0: input.t0,
      startedAt: input.startedAt,
      launched,
      tail,
      startAgain: (s, signal, started) => startService(s, context(signal), started),
      stopAll,
    });
  } catch (error) {
    out.say('error', 'could not supervise the stack: stopping it');
    await stopAll();
    tail.stop();
    unlock();
    throw error;
  }
}

/**
 * The Dockerfile and .dockerignore behind the app image: pinned bases, a build stage, production
 * dependencies only at run time, a non-root user, no `npm start`, no NODE_ENV, and a build context
 * that never carries secrets or local state. Pure: the texts come in, problems go out.
 */
import { imagePinProblem } from './policy-checks.ts';

export interface DockerStage {
  readonly name: string | undefined;
  readonly base: string;
  /** Instructions after FROM, continuation lines joined, e.g. `RUN npm ci --omit=dev`. */
  readonly instructions: readonly string[];
}

export function dockerfileStages(text: string): DockerStage[] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: { name: string | undefined; base: string; instructions: string[] }[] = [];
  for (const line of lines) {
    const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ base: from[1] ?? '', name: from[2], instructions: [] });
    else stages.at(-1)?.instructions.push(line.replace(/\s+/g, ' '));
  }
  return stages;
}

const runs = (stage: DockerStage, pattern: RegExp) =>
  stage.instructions.some((i) => /^RUN /i.test(i) && pattern.test(i));

/** Every npm install in the stage (fallbacks too) leaves out dev dependencies. */
function productionOnly(stage: DockerStage): boolean {
  const installs = stage.instructions
    .filter((i) => /^RUN /i.test(i))
    .flatMap((i) => i.split(/&&|\|\||;/))
    .filter((c) => /\bnpm (ci|install|i)\b/.test(c));
  return (
    installs.some((c) => /\bnpm ci\b/.test(c)) && installs.every((c) => /--omit=dev\b/.test(c))
  );
}

/** `target` is the stage docker-compose.yml builds. */
export function dockerfileProblems(text: string, target: string | undefined): string[] {
  const stages = dockerfileStages(text);
  const names = new Set(stages.map((s) => s.name));
  const problems: string[] = [];
  for (const s of stages.filter((x) => !names.has(x.base))) {
    const pin = imagePinProblem(s.base, false);
    if (pin !== undefined) problems.push(`FROM: ${pin}`);
  }
  const final = stages.at(-1);
  if (final === undefined) return ['no FROM'];
  if (target !== undefined && final.name !== target)
    problems.push(`compose builds stage ${target}, the last stage is ${String(final.name)}`);
  if (!stages.some((s) => runs(s, /\bnpm ci\b(?!.*--omit=dev)/) && runs(s, /npm run build/)))
    problems.push('no stage runs `npm ci` and `npm run build`');
  const copied = final.instructions
    .map((i) => /^COPY --from=(\S+)\s+(\S+)/i.exec(i))
    .filter((m) => m !== null);
  const depsStage = stages.find((s) =>
    copied.some((m) => m[1] === s.name && /node_modules/.test(m[2] ?? '')),
  );
  if (depsStage === undefined || !productionOnly(depsStage))
    problems.push('the runtime node_modules do not come from `npm ci --omit=dev`');
  if (!copied.some((m) => /dist/.test(m[2] ?? '')))
    problems.push('the runtime stage does not copy dist/');
  const user = final.instructions.filter((i) => /^USER /i.test(i)).at(-1);
  if (user === undefined || /^USER (root|0)(:|$)/i.test(user))
    problems.push('the runtime stage runs as root');
  const starts = final.instructions.filter((i) => /^(CMD|ENTRYPOINT) /i.test(i));
  if (/npm (run )?start/.test(text) || starts.some((i) => /\bnpm\b/.test(i)))
    problems.push('uses `npm start`; containers run `node dist/...`');
  if (/^\s*ENV\s+.*NODE_ENV/im.test(text)) problems.push('sets NODE_ENV; flags say what to do');
  return problems;
}

/** Paths that must never reach the build context. */
export const NEVER_IN_CONTEXT = ['.secrets', '.stack', '.git', 'node_modules', 'dist'] as const;

export function dockerignoreProblems(text: string): string[] {
  const patterns = new Set(
    text
      .split(/\r?\n/)
      .map((l) => l.trim().replace(/^\//, '').replace(/\/$/, ''))
      .filter((l) => l !== '' && !l.startsWith('#')),
  );
  const reincluded = [...patterns].filter((p) => p.startsWith('!'));
  return [
    ...NEVER_IN_CONTEXT.filter((p) => !patterns.has(p)).map((p) => `.dockerignore lets ${p} in`),
    ...reincluded.map((p) => `.dockerignore re-includes ${p.slice(1)}`),
  ];
}

/**
 * Compose's variable interpolation, for checking docker-compose.yml without Docker: `$$`, `$NAME`,
 * `${NAME}`, `${NAME:-default}` / `${NAME-default}` (the colon form also replaces an empty value),
 * `${NAME:?error}` / `${NAME?error}`, `${NAME:+alt}` / `${NAME+alt}`, nested in defaults. Values
 * that compose converts after interpolation (replica counts, CPU limits) are converted the same
 * way. Pure.
 */

export type Environment = Readonly<Record<string, string | undefined>>;

export interface Interpolated<T> {
  readonly value: T;
  /** Unset variables without a default, `:?` errors, unterminated `${`. */
  readonly problems: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Index of the `}` closing the `${` whose body starts at `start`, or -1. */
function closingBrace(s: string, start: number): number {
  let depth = 1;
  for (let i = start; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function substitute(body: string, env: Environment, problems: string[]): string {
  const name = NAME.exec(body)?.[0];
  if (name === undefined) {
    problems.push(`\${${body}}: not a variable name`);
    return '';
  }
  const value = env[name];
  const op = /^(:?[-?+])?/.exec(body.slice(name.length))?.[0] ?? '';
  const rest = body.slice(name.length + op.length);
  if (op === '' && rest !== '') problems.push(`\${${body}}: unknown modifier`);
  const unset = op.startsWith(':') ? value === undefined || value === '' : value === undefined;
  switch (op.replace(':', '')) {
    case '-':
      return unset ? interpolateString(rest, env, problems) : (value ?? '');
    case '?':
      if (unset) problems.push(`${name}: ${rest || 'required'}`);
      return value ?? '';
    case '+':
      return unset ? '' : interpolateString(rest, env, problems);
    default:
      if (value === undefined) problems.push(`${name} is not set and has no default`);
      return value ?? '';
  }
}

/** Interpolates one string; problems are appended to `problems`. */
export function interpolateString(s: string, env: Environment, problems: string[] = []): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c !== '$') {
      out += c;
      i++;
    } else if (s[i + 1] === '$') {
      out += '$';
      i += 2;
    } else if (s[i + 1] === '{') {
      const end = closingBrace(s, i + 2);
      if (end < 0) {
        problems.push(`unterminated \${ in ${JSON.stringify(s)}`);
        return out + s.slice(i);
      }
      out += substitute(s.slice(i + 2, end), env, problems);
      i = end + 1;
    } else {
      const name = NAME.exec(s.slice(i + 1))?.[0];
      if (name === undefined) {
        out += c;
        i++;
      } else {
        out += substitute(name, env, problems);
        i += 1 + name.length;
      }
    }
  }
  return out;
}

/** Paths (services.<any>.…) whose interpolated strings compose turns into numbers. */
const NUMERIC_PATHS: readonly (readonly string[])[] = [
  ['services', '*', 'deploy', 'replicas'],
  ['services', '*', 'cpus'],
];

const isNumericPath = (path: readonly string[]) =>
  NUMERIC_PATHS.some(
    (p) => p.length === path.length && p.every((k, i) => k === '*' || k === path[i]),
  );

function walk(node: unknown, path: string[], env: Environment, problems: string[]): unknown {
  if (typeof node === 'string') {
    const value = interpolateString(node, env, problems);
    if (node.includes('$') && isNumericPath(path) && /^\d+(\.\d+)?$/.test(value))
      return Number(value);
    return value;
  }
  if (Array.isArray(node)) return node.map((x, i) => walk(x, [...path, String(i)], env, problems));
  if (typeof node === 'object' && node !== null)
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k], env, problems)]),
    );
  return node;
}

/** Interpolates every string value of a parsed compose document (keys are left alone). */
export function interpolateDocument(doc: unknown, env: Environment): Interpolated<unknown> {
  const problems: string[] = [];
  const value = walk(doc, [], env, problems);
  return { value, problems };
}

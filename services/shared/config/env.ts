/**
 * A small typed schema for environment variables: every service and the native runner describe
 * their variables with these parsers and call `parseEnv` once. Nothing else reads `process.env`.
 * Problems are collected, not thrown one by one, so a bad start names every bad variable at once.
 */
import { readFileSync } from 'node:fs';

export type Env = Readonly<Record<string, string | undefined>>;

export interface Parser<T> {
  /** What the value must look like, shown in error messages ("one of a, b", "an integer 1–6"). */
  readonly expected: string;
  /** Returns the parsed value, or undefined when the text is not acceptable. */
  readonly parse: (raw: string) => T | undefined;
}

export interface Field<T> {
  readonly parser: Parser<T>;
  /** Used when the variable is absent or empty. A field without a default is required. */
  readonly fallback?: T;
  /** Allows `NAME_FILE=/path`: the value is read from that file (Docker/compose secrets). */
  readonly secret?: boolean;
  /** Absent is fine and yields undefined. */
  readonly optional?: boolean;
}

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export const oneOf = <const V extends readonly string[]>(values: V): Parser<V[number]> => ({
  expected: `one of ${values.join(', ')}`,
  parse: (raw) => values.find((v) => v === raw),
});

export const integer = (min: number, max: number): Parser<number> => ({
  expected: `an integer from ${min} to ${max}`,
  parse: (raw) => {
    if (!/^-?\d+$/.test(raw)) return undefined;
    const n = Number(raw);
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
  },
});

export const decimal = (min: number, max: number): Parser<number> => ({
  expected: `a number from ${min} to ${max}`,
  parse: (raw) => {
    if (!/^\d+(\.\d+)?$/.test(raw)) return undefined;
    const n = Number(raw);
    return n >= min && n <= max ? n : undefined;
  },
});

export const boolean: Parser<boolean> = {
  expected: 'one of true, false',
  parse: (raw) => (raw === 'true' ? true : raw === 'false' ? false : undefined),
};

export const text = (
  pattern: RegExp = /^[\s\S]+$/,
  expected = 'a non-empty string',
): Parser<string> => ({
  expected,
  parse: (raw) => (pattern.test(raw) ? raw : undefined),
});

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const HOST = /^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:]+\]$/;

function parseHostPort(raw: string): HostPort | undefined {
  const at = raw.lastIndexOf(':');
  if (at <= 0) return undefined;
  const host = raw.slice(0, at);
  const port = integer(1, 65535).parse(raw.slice(at + 1));
  return HOST.test(host) && port !== undefined ? { host, port } : undefined;
}

export const hostPort: Parser<HostPort> = {
  expected: 'host:port',
  parse: parseHostPort,
};

/** A comma-separated list; an empty string is an empty list. */
export const list = <T>(item: Parser<T>): Parser<readonly T[]> => ({
  expected: `a comma-separated list of ${item.expected}`,
  parse: (raw) => {
    const parts = raw
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const parsed = parts.map((p) => item.parse(p));
    return parsed.every((p) => p !== undefined) ? (parsed as T[]) : undefined;
  },
});

/**
 * Semicolon-separated groups of a list, e.g. each shard server's replicas: `a:1,b:2;c:3,d:4`. An
 * empty string is no groups; an empty group between semicolons is an empty list.
 */
export const groups = <T>(item: Parser<readonly T[]>): Parser<readonly (readonly T[])[]> => ({
  expected: `semicolon-separated groups of ${item.expected}`,
  parse: (raw) => {
    if (raw.trim() === '') return [];
    const parsed = raw.split(';').map((g) => item.parse(g));
    return parsed.every((g) => g !== undefined) ? (parsed as (readonly T[])[]) : undefined;
  },
});

export const httpUrl: Parser<URL> = {
  expected: 'an http(s) URL',
  parse: (raw) => {
    if (!URL.canParse(raw)) return undefined;
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  },
};

export const field = <T>(
  parser: Parser<T>,
  fallback?: T,
  options: { secret?: boolean } = {},
): Field<T> => (fallback === undefined ? { parser, ...options } : { parser, fallback, ...options });

export const secret = <T>(parser: Parser<T>, fallback?: T): Field<T> =>
  field(parser, fallback, { secret: true });

export const optional = <T>(
  parser: Parser<T>,
  options: { secret?: boolean } = {},
): Field<T | undefined> => ({
  parser,
  optional: true,
  ...options,
});

export type Schema = Readonly<Record<string, Field<unknown>>>;
export type Parsed<S extends Schema> = {
  readonly [K in keyof S]: S[K] extends Field<infer T> ? T : never;
};

function readSecretFile(name: string, path: string, problems: string[]): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push(`${name}_FILE=${path}: cannot read the file (${code})`);
    return undefined;
  }
}

function rawValue(
  env: Env,
  name: string,
  field: Field<unknown>,
  problems: string[],
): string | undefined {
  const direct = env[name];
  const file = field.secret ? env[`${name}_FILE`] : undefined;
  if (direct !== undefined && direct !== '' && file !== undefined && file !== '') {
    problems.push(`${name} and ${name}_FILE are both set: set only one`);
    return undefined;
  }
  if (file !== undefined && file !== '') return readSecretFile(name, file, problems);
  return direct === '' ? undefined : direct;
}

/** Parses `schema` from `env`. Throws one ConfigError naming every bad or missing variable. */
export function parseEnv<S extends Schema>(env: Env, schema: S): Parsed<S> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema)) {
    const raw = rawValue(env, name, field, problems);
    if (raw === undefined) {
      if (field.fallback === undefined && !field.optional)
        problems.push(`${name} is required: expected ${field.parser.expected}`);
      out[name] = field.fallback;
      continue;
    }
    const value = field.parser.parse(raw);
    if (value === undefined) {
      const shown = field.secret ? '(hidden)' : JSON.stringify(raw);
      problems.push(`${name}=${shown}: expected ${field.parser.expected}`);
    }
    out[name] = value;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(out) as Parsed<S>;
}

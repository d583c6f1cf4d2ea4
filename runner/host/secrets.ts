/**
 * The stack's secrets: one random value per name under `<stackDir>/secrets/`, mode 0600, made on
 * the first `up` and reused afterwards (the databases keep the passwords they were given).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECRET_NAMES, type SecretName } from '../../services/shared/topology/plan.ts';

export type SecretFiles = Readonly<Record<SecretName, string>>;

/** Written whole or not at all: a kill -9 never leaves half a secret behind. */
function writeSecret(file: string, value: string): void {
  writeFileSync(`${file}.tmp`, value, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

function existing(file: string): string | undefined {
  try {
    const value = readFileSync(file, 'utf8').trim();
    return value === '' ? undefined : value;
  } catch {
    return undefined;
  }
}

/**
 * Makes every missing secret; `fixed` values (e.g. an external S3 endpoint's secret key) are
 * written as given. Returns the file of each secret.
 */
export function ensureSecrets(
  dir: string,
  fixed: Partial<Record<SecretName, string>> = {},
): SecretFiles {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const files: Record<string, string> = {};
  for (const name of SECRET_NAMES) {
    const file = join(dir, name);
    const wanted = fixed[name];
    if (wanted !== undefined && existing(file) !== wanted) {
      writeSecret(file, wanted);
    } else if (existing(file) === undefined) {
      // Hex: safe in every config syntax and SQL literal the stack writes it into.
      writeSecret(file, randomBytes(24).toString('hex'));
    }
    chmodSync(file, 0o600);
    files[name] = file;
  }
  return files as SecretFiles;
}

export function readSecret(files: SecretFiles, name: SecretName): string {
  return readFileSync(files[name], 'utf8').trim();
}

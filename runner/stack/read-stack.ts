/** Reads a running stack's stack.json for a tool, with a clear error when there is none. */
import { readFileSync } from 'node:fs';
import type { StackFile } from './stack-file.ts';

export function readStackFile(file: string): StackFile {
  let info: StackFile;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as StackFile;
  } catch (error) {
    throw new Error(
      `no running stack at ${file} (start one with \`make local\`, or set STACK_DIR or STACK_FILE to where it runs): ${(error as Error).message}`,
    );
  }
  if (info.version !== 1)
    throw new Error(`${file}: unsupported stack.json version ${info.version}`);
  return info;
}

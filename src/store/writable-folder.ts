import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { problem, UserError } from '../errors.ts';

/** The results folder, created if needed; a folder that cannot be written is invalid input, found before any training. */
export function ensureWritableDir(dir: string, option: string): void {
  let reason: string | null = null;
  try {
    makeFolders(dir);
    if (!statSync(dir).isDirectory()) reason = 'it is a file, not a folder';
    else accessSync(dir, constants.W_OK);
  } catch (error) {
    reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
  if (reason !== null) {
    throw new UserError(problem('out-not-writable', `cannot write results to ${dir} (${reason})`, { file: option, hint: 'choose another folder with --out' }));
  }
}

/**
 * `mkdir -p`, one level at a time: Node 20's recursive mkdirSync never returns for a folder under
 * /proc (mkdir there fails with ENOENT, and it retries from the parent forever).
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let at = path.resolve(dir); statSync(at, { throwIfNoEntry: false }) === undefined; at = path.dirname(at)) {
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const folder of missing) mkdirSync(folder);
}

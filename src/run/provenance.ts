import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** mlp-lab's own version, from package.json. */
export const MLP_LAB_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * The last git commit that touched `file`, with `+dirty` when the file has uncommitted changes
 * (or is untracked); null outside a git checkout or without git. Recorded in metrics.json so that
 * a result can be traced to the experiment file that produced it.
 */
export function experimentCommit(file: string): string | null {
  const cwd = path.dirname(path.resolve(file));
  const git = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git('log', '-1', '--format=%H', '--', path.resolve(file));
    const dirty = git('status', '--porcelain', '--', path.resolve(file)) !== '';
    if (!commit) return dirty ? 'uncommitted' : null;
    return dirty ? `${commit}+dirty` : commit;
  } catch {
    return null;
  }
}

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** mlp-lab's own version, from package.json. */
export const MLP_LAB_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

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

const CORE = new URL('../core/', import.meta.url);

/**
 * mlp-lab's version and a fingerprint of the code that computes a run: the numeric core (its
 * sources, or the compiled files when run from dist/) and the given kernel binaries. Two
 * processes with the same value compute the same numbers, bit for bit; a checkpoint written under
 * another value is not trusted. Reading ~30 small files takes a few milliseconds.
 */
export function codeVersion(kernelFiles: readonly URL[] = []): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|js)$/.test(entry.name)) hash.update(`${path.relative(fileURLToPath(CORE), full)}\n`).update(readFileSync(full));
    }
  };
  walk(fileURLToPath(CORE));
  for (const file of kernelFiles) if (existsSync(file)) hash.update(readFileSync(file));
  return `${MLP_LAB_VERSION}+${hash.digest('hex').slice(0, 12)}`;
}

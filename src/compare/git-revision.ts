import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { problem, UserError } from '../errors.ts';

/**
 * A file's content at a git revision, read with `git show REV:./FILE` (no checkout, the working
 * tree is untouched). Null when the file is not in that revision. Throws UserError when git is
 * missing, the file is not inside a git working tree, or the revision is unknown.
 */
export function fileAtRevision(file: string, revision: string): string | null {
  const dir = path.dirname(path.resolve(file));
  const git = (...args: string[]) => spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const inside = git('rev-parse', '--is-inside-work-tree');
  if (inside.error)
    throw new UserError(
      problem('no-git', `cannot run git (${(inside.error as NodeJS.ErrnoException).code ?? inside.error.message})`, {
        file,
        hint: 'mlp-lab diff reads the committed results with git; install git',
      }),
    );
  if (inside.status !== 0 || inside.stdout.trim() !== 'true') {
    throw new UserError(
      problem('not-a-repository', 'not inside a git repository', {
        file,
        hint: 'mlp-lab diff compares the results table with a committed version: run it in a git checkout',
      }),
    );
  }
  if (git('rev-parse', '--verify', '--quiet', `${revision}^{commit}`).status !== 0) {
    throw new UserError(
      problem('unknown-revision', `unknown revision \`${revision}\``, { file: '--rev', hint: 'a commit, branch or tag: HEAD, HEAD~1, main, a1b2c3d' }),
    );
  }
  const shown = git('show', `${revision}:./${path.basename(file)}`);
  return shown.status === 0 ? shown.stdout : null;
}

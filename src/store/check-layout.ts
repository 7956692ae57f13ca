import { statSync } from 'node:fs';
import path from 'node:path';
import { problem, UserError, type Problem } from '../errors.ts';
import { experimentDir, runsDir } from './layout.ts';

/**
 * The folders and files the store needs under `<out>/<name>/` must be folders and files: `runs`
 * being a file or `results.md` a folder is invalid input, found before any training (writing into
 * them would fail with a stack trace halfway through).
 */
export function checkStoreLayout(out: string, names: readonly string[]): void {
  const problems: Problem[] = [];
  for (const name of names) {
    const expected: [string, 'folder' | 'file'][] = [
      [experimentDir(out, name), 'folder'],
      [runsDir(out, name), 'folder'],
      ...['results.csv', 'results.md', 'results.tex'].map((f): [string, 'file'] => [path.join(experimentDir(out, name), f), 'file']),
    ];
    for (const [where, kind] of expected) {
      let stat: ReturnType<typeof statSync>;
      try {
        stat = statSync(where);
      } catch {
        continue; // absent: created when needed (an unreadable parent is found when writing)
      }
      if (kind === 'folder' ? !stat.isDirectory() : !stat.isFile()) {
        problems.push(
          problem('store-layout', `${where} is ${kind === 'folder' ? 'not a folder' : 'not a file'}, but the results store keeps a ${kind} there`, {
            file: '--out',
            hint: `move it out of the way, or choose another results folder with --out`,
          }),
        );
      }
    }
  }
  if (problems.length > 0) throw new UserError(problems);
}

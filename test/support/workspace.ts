/**
 * Temporary folders that do not outlive their tests: made inside a test, one is removed when the
 * test ends; made where tests are declared or in a hook, when the file's tests have run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

export interface Workspace {
  dir: string;
  /** Writes a file under the folder (making its parent folders) and returns its path. */
  write(name: string, content: string | Uint8Array): string;
  /** The path of `name` under the folder. */
  path(...names: string[]): string;
}

/**
 * Folders made outside a test, removed after the file's tests. (An afterAll registered from a
 * beforeAll is silently ignored, so this one is registered when the file imports this module:
 * vitest evaluates the modules again for each test file.)
 */
const madeOutsideTests = new Set<string>();
afterAll(() => {
  for (const dir of madeOutsideTests) rmSync(dir, { recursive: true, force: true });
  madeOutsideTests.clear();
});

/** A fresh folder `mlp-lab-<name>-XXXXXX` in the system's temporary folder, removed after use. */
export function workspace(name: string): Workspace {
  const dir = mkdtempSync(path.join(tmpdir(), `mlp-lab-${name}-`));
  try {
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  } catch {
    madeOutsideTests.add(dir); // not inside a test
  }
  return {
    dir,
    write: (file, content) => {
      const full = path.join(dir, file);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, content);
      return full;
    },
    path: (...names) => path.join(dir, ...names),
  };
}

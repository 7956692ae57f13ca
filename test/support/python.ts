import { spawnSync } from 'node:child_process';

/**
 * The first python3 that can import `modules`: the one on PATH (a pyenv or venv python may
 * have them), else Debian's /usr/bin/python3, which .ci/run gives python3-scipy and numpy.
 * Null when none can.
 */
export function pythonWith(modules: readonly string[]): string | null {
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore', timeout: 30_000 });
    if (!probe.error && probe.status === 0) return python;
  }
  return null;
}

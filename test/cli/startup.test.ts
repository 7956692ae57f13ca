/**
 * Start-up stays light: `mlp-lab --version` loads no command, and a command loads its own
 * dependencies only (no schema validator for `--version`, no worker pool for `validate`). Which
 * modules are resolved is read from resolve hooks, so the test does not depend on timing.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const HOOKS = path.resolve('test/fixtures/startup/record-loads.mjs');

function loadedBy(...args: string[]): string[] {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.MLP_LAB_FROM_SOURCE; // the compiled program, as users start it
  const result = spawnSync(process.execPath, ['--import', HOOKS, 'bin/mlp-lab.js', ...args], { encoding: 'utf8', env });
  expect(result.status).toBe(0);
  return result.stderr.split('\n').filter((line) => line.startsWith('loaded: ')).map((line) => line.slice('loaded: '.length));
}

describe('start-up', () => {
  it('--version loads no command and none of their libraries', () => {
    const loaded = loadedBy('--version');
    expect(loaded.some((url) => url.endsWith('/dist/cli/main.js'))).toBe(true);
    for (const heavy of ['/dist/cli/run.js', '/dist/cli/validate.js', '/dist/experiment/', '/node_modules/ajv/', '/node_modules/@sinclair/typebox/', '/node_modules/yaml/', '/node_modules/piscina/']) {
      expect(loaded.filter((url) => url.includes(heavy)), heavy).toEqual([]);
    }
  });

  it('a command loads itself, not the others', () => {
    const loaded = loadedBy('validate', 'experiments/report.yaml');
    expect(loaded.some((url) => url.endsWith('/dist/cli/validate.js'))).toBe(true);
    for (const other of ['/dist/cli/run.js', '/dist/run/', '/node_modules/piscina/', '/node_modules/log-update/']) {
      expect(loaded.filter((url) => url.includes(other)), other).toEqual([]);
    }
  });
});

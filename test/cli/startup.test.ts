/**
 * Start-up stays light: `mlp-lab --version` loads no command, and a command loads its own
 * dependencies only (no schema validator for `--version`, no worker pool for `validate`). Which
 * files are loaded is read from resolve hooks, so the test does not depend on timing; the files of
 * dist/bundle/ are translated into the modules bundled in them by esbuild's metafile.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { workspace } from '../support/workspace.ts';

const HOOKS = path.resolve('test/fixtures/startup/record-loads.mjs');

function loadedBy(...args: string[]): string[] {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.MLP_LAB_FROM_SOURCE; // the compiled program, as users start it
  const result = spawnSync(process.execPath, ['--import', HOOKS, 'bin/mlp-lab.js', ...args], { encoding: 'utf8', env });
  expect(result.status).toBe(0);
  const files = result.stderr.split('\n').filter((line) => line.startsWith('loaded: ')).map((line) => line.slice('loaded: '.length));
  return [...new Set(files)].flatMap((url) => BUNDLED.get(url) ?? [url]);
}

/** The URL of each file of dist/bundle/ → the URLs of the modules it holds, as if loaded one by one. */
const BUNDLED = new Map(
  Object.entries((JSON.parse(readFileSync('dist/bundle/meta.json', 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> }).outputs)
    .map(([file, { inputs }]) => [pathToFileURL(path.resolve(file)).href, Object.keys(inputs).map((input) => pathToFileURL(path.resolve(input)).href)]),
);

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

  it('run --no-charts loads no chart library: Vega, Vega-Lite and resvg are most of the program', () => {
    const out = workspace('startup').dir;
    const loaded = loadedBy('run', 'experiments/report.yaml', '--only', 'relu', '--set', 'epochs=1', '--set', 'dataset.train_limit=30',
      '--set', 'dataset.test_limit=10', '--out', out, '--no-charts', '--quiet');
    expect(loaded.some((url) => url.endsWith('/dist/run/run-experiments.js'))).toBe(true);
    for (const heavy of ['/node_modules/vega', '/node_modules/d3-', '/node_modules/@resvg/', '/dist/charts/render.js', '/dist/charts/write-page.js']) {
      expect(loaded.filter((url) => url.includes(heavy)), heavy).toEqual([]);
    }
    expect(readdirSync(path.join(out, 'report'))).not.toContain('charts');
  });
});

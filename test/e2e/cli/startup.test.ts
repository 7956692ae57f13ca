/**
 * Start-up stays light: `mlp-lab --version` loads no command, and a command loads its own
 * dependencies only (no schema validator for `--version`, no worker pool for `validate`). Which
 * files are loaded is read from resolve hooks, so the test does not depend on timing; the files of
 * dist/bundle/ are translated into the modules bundled in them by esbuild's metafile.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliWith } from '../../support/cli.ts';
import { workspace } from '../../support/workspace.ts';

const HOOKS = path.resolve('test/fixtures/startup/record-loads.mjs');

function loadedBy(...args: string[]): string[] {
  // The compiled program, as users start it.
  const result = cliWith({ node: ['--import', HOOKS], env: { MLP_LAB_FROM_SOURCE: undefined } }, ...args);
  expect(result.code, result.stderr).toBe(0);
  const files = result.stderr
    .split('\n')
    .filter((line) => line.startsWith('loaded: '))
    .map((line) => line.slice('loaded: '.length));
  return [...new Set(files)].flatMap((url) => BUNDLED.get(url) ?? [url]);
}

const META = JSON.parse(readFileSync('dist/bundle/meta.json', 'utf8')) as {
  outputs: Record<string, { inputs: Record<string, unknown>; imports: { path: string; external?: boolean }[] }>;
};

/** The URL of each file of dist/bundle/ → the URLs of the modules it holds, as if loaded one by one. */
const BUNDLED = new Map(
  Object.entries(META.outputs).map(([file, { inputs }]) => [
    pathToFileURL(path.resolve(file)).href,
    Object.keys(inputs).map((input) => pathToFileURL(path.resolve(input)).href),
  ]),
);

/** Every module of the program: those bundled, and the packages left outside (loaded from node_modules). */
const PROGRAM = [
  ...[...BUNDLED.values()].flat(),
  ...Object.values(META.outputs)
    .flatMap(({ imports }) => imports.filter((i) => i.external && !i.path.startsWith('node:')))
    .map((i) => `${pathToFileURL(path.resolve('node_modules', i.path)).href}/`),
];

/**
 * None of `parts` (pieces of module URLs) was loaded; each is part of the program, so that the
 * check can fail (it named a package long gone from the dependencies, and could not).
 */
function expectNoneLoaded(loaded: string[], parts: string[]): void {
  for (const part of parts) {
    expect(
      PROGRAM.some((url) => url.includes(part)),
      `${part} is part of the program`,
    ).toBe(true);
    expect(
      loaded.filter((url) => url.includes(part)),
      part,
    ).toEqual([]);
  }
}

describe('start-up', () => {
  it('--version loads no command and none of their libraries', () => {
    const loaded = loadedBy('--version');
    expect(loaded.some((url) => url.endsWith('/dist/cli/main.js'))).toBe(true);
    expectNoneLoaded(loaded, [
      '/dist/cli/run.js',
      '/dist/cli/validate.js',
      '/dist/experiment/',
      '/node_modules/ajv/',
      '/node_modules/@sinclair/typebox/',
      '/node_modules/yaml/',
      '/node_modules/bullmq/',
    ]);
  });

  it('a command loads itself, not the others', () => {
    const loaded = loadedBy('validate', 'experiments/report.yaml');
    expect(loaded.some((url) => url.endsWith('/dist/cli/validate.js'))).toBe(true);
    expectNoneLoaded(loaded, ['/dist/cli/run.js', '/dist/run/', '/dist/run/process-pool.js', '/node_modules/log-update/']);
  });

  it('run --no-charts loads no chart library: Vega, Vega-Lite and resvg are most of the program', () => {
    const out = workspace('startup').dir;
    const loaded = loadedBy(
      'run',
      'experiments/report.yaml',
      '--only',
      'relu',
      '--set',
      'epochs=1',
      '--set',
      'dataset.train_limit=30',
      '--set',
      'dataset.test_limit=10',
      '--out',
      out,
      '--no-charts',
      '--quiet',
    );
    expect(loaded.some((url) => url.endsWith('/dist/run/run-experiments.js'))).toBe(true);
    expectNoneLoaded(loaded, [
      '/node_modules/vega',
      '/node_modules/d3-',
      '/node_modules/@resvg/',
      '/dist/charts/render.js',
      '/dist/publish/write-charts-and-page.js',
    ]);
    expect(readdirSync(path.join(out, 'report'))).not.toContain('charts');
  });
});

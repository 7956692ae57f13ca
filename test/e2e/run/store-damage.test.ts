/**
 * The results store when something is wrong with it: damaged records, files where folders belong,
 * and writes that fail while a run is recorded. None of these may end in a stack trace.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliWith } from '../../support/cli.ts';
import { workspace as temporaryFolder } from '../../support/workspace.ts';
const EXPERIMENT = `name: damage
dataset: { source: mnist, train_limit: 200, test_limit: 50 }
defaults: { layers: [784, 10], epochs: 1, batch_size: 50 }
`;
const root = temporaryFolder('damage').dir;

function workspace(name: string) {
  const dir = path.join(root, name);
  mkdirSync(dir);
  const file = path.join(dir, 'damage.yaml');
  writeFileSync(file, EXPERIMENT);
  const out = path.join(dir, 'results');
  const id = (JSON.parse(cli('plan', file, '--json').stdout) as { runs: { id: string }[] }).runs[0]!.id;
  return { file, out, runDir: path.join(out, 'damage', 'runs', id) };
}

const STACK = /\n\s+at /;

describe('a damaged run record', () => {
  it.each([
    ['truncated', (text: string) => text.slice(0, text.length / 2)],
    ['merge-conflicted', (text: string) => `<<<<<<< HEAD\n${text}=======\n${text}>>>>>>> other\n`],
    ['not a record', () => '[1, 2, 3]\n'],
  ])('(%s metrics.json) shows as failed in report, and run retrains it', (name, damage) => {
    const { file, out, runDir } = workspace(name);
    expect(cli('run', file, '--out', out, '--quiet').code).toBe(0);
    const metrics = path.join(runDir, 'metrics.json');
    writeFileSync(metrics, damage(readFileSync(metrics, 'utf8')));

    const report = cli('report', file, '--out', out);
    expect(report.stderr).not.toMatch(STACK);
    expect(report.code).toBe(0);
    expect(readFileSync(path.join(out, 'damage', 'results.csv'), 'utf8')).toMatch(/,failed,/);

    const rerun = cli('run', file, '--out', out, '--quiet');
    expect(rerun.stderr).not.toMatch(STACK);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/1 run: 1 trained, 0 reused\./);
    expect(JSON.parse(readFileSync(metrics, 'utf8')).status).toBe('completed');
  });
});

describe('files where the store keeps folders, and folders where it keeps files', () => {
  it('refuses a `runs` file before training, exit 2', () => {
    const { file, out } = workspace('runs-file');
    mkdirSync(path.join(out, 'damage'), { recursive: true });
    writeFileSync(path.join(out, 'damage', 'runs'), 'oops');
    const run = cli('run', file, '--out', out);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^--out: error: .*damage\/runs is not a folder, but the results store keeps a folder there/m);
    expect(run.stderr).not.toMatch(STACK);
  });

  it('refuses a results.md folder in report and run, exit 2', () => {
    const { file, out } = workspace('md-folder');
    mkdirSync(path.join(out, 'damage', 'results.md'), { recursive: true });
    for (const command of ['report', 'run']) {
      const result = cli(command, file, '--out', out);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/results\.md is not a file/);
      expect(result.stderr).not.toMatch(STACK);
    }
  });
});

describe('a write error while recording a run', () => {
  // A preloaded module makes the store's writes fail as a full disk would (see the fixture).
  const PRELOAD = path.resolve('test/fixtures/store/fail-writes.mjs');
  const failing = (what: string, ...args: string[]) => cliWith({ node: ['--import', PRELOAD], env: { FAIL_WRITES: what } }, ...args);

  it('records the run as failed (error.json), exit 1, and the next run retries it', () => {
    const { file, out, runDir } = workspace('write-error');
    const run = failing('record', 'run', file, '--out', out, '--quiet');
    expect(run.stderr).not.toMatch(STACK);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/1 failed/);
    const failure = JSON.parse(readFileSync(path.join(runDir, 'error.json'), 'utf8'));
    expect(failure.message).toMatch(/^its record could not be written: ENOSPC/);

    const retry = cli('run', file, '--out', out, '--quiet');
    expect(retry.code).toBe(0);
    expect(retry.stdout).toMatch(/1 run: 1 trained/);
    expect(existsSync(path.join(runDir, 'error.json'))).toBe(false);
  });

  it('and a second one while recording that failure: counted, exit 1, no stack trace', () => {
    const { file, out, runDir } = workspace('double-error');
    const run = failing('record,failure', 'run', file, '--out', out, '--quiet');
    expect(run.stderr).not.toMatch(STACK);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/1 failed/);
    expect(existsSync(path.join(runDir, 'metrics.json'))).toBe(false);
  });
});

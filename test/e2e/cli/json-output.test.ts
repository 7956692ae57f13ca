/**
 * What scripts read: `--json` of validate, plan, run and diff, and plan / diff over several
 * files. Each JSON output must parse, carry what the text shows, and leave stdout to itself
 * (run's progress goes to stderr).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve('bin/mlp-lab.js');
const temp = mkdtempSync(path.join(tmpdir(), 'mlp-lab-json-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function cli(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Several pretty-printed JSON documents one after another, as `plan --json` prints one per file: each starts a line with `{`. */
function documents(text: string): unknown[] {
  return text
    .trim()
    .split(/\n(?=\{)/)
    .map((doc) => JSON.parse(doc) as unknown);
}

const root = path.resolve('.');
const report = path.join(root, 'experiments/report.yaml');
const sweep = path.join(root, 'experiments/relu-vs-sigmoid.yaml');

describe('validate --json', () => {
  it('gives each file its verdict and its problems with their places, exit 2 when one is invalid', () => {
    const bad = path.join(temp, 'bad.yaml');
    writeFileSync(bad, 'name: bad\ndefaults:\n  epoch: 3\n');
    const { status, stdout } = cli(temp, 'validate', report, bad, '--json');
    expect(status).toBe(2);
    const results = JSON.parse(stdout) as {
      file: string;
      valid: boolean;
      experiment: string | null;
      runs: number | null;
      problems: { code: string; line: number; col: number }[];
    }[];
    expect(results.map((r) => [r.valid, r.experiment, r.runs])).toEqual([
      [true, 'report', 3],
      [false, null, null],
    ]);
    expect(results[1]!.problems[0]).toMatchObject({ code: 'unknown-key', line: 3, col: 3 });
  });
});

describe('plan over several files', () => {
  it('prints one JSON object per file, and --only picks the runs of each', () => {
    const both = cli(root, 'plan', report, sweep, '--json');
    expect(both.status).toBe(0);
    const [a, b] = documents(both.stdout) as { experiment: string; count: number; runs: { id: string; varying: Record<string, unknown> }[] }[];
    expect([a!.experiment, a!.count, b!.experiment, b!.count]).toEqual(['report', 3, 'relu-vs-sigmoid', 54]);

    const relu = documents(cli(root, 'plan', report, sweep, '--json', '--only', 'activation=relu').stdout) as (typeof a)[];
    expect(relu[1]!.count).toBe(27);
    expect(relu[1]!.runs.every((r) => r.varying.activation === 'relu')).toBe(true);
    // The text says how many of the plan --only picked.
    expect(cli(root, 'plan', sweep, '--only', 'activation=relu').stdout).toContain('27 runs (--only picked 27 of 54)');
  });
});

/** A one-epoch run of the report's relu model on 300 images, with a JSON summary. */
const tinyRun = (out: string) => [
  'run',
  report,
  '--only',
  'relu',
  '--set',
  'epochs=1',
  '--set',
  'dataset.train_limit=300',
  '--set',
  'dataset.test_limit=100',
  '--out',
  out,
  '--no-charts',
  '--json',
];

describe('run --json', () => {
  it('prints the summary as JSON on stdout and the progress on stderr', () => {
    const out = path.join(temp, 'run');
    const { status, stdout, stderr } = cli(temp, ...tinyRun(out));
    expect(status).toBe(0);
    const summary = JSON.parse(stdout) as {
      exit_code: number;
      planned: number;
      trained: number;
      reused: number;
      results: { tables: string[]; page: string | null }[];
    };
    expect(summary).toMatchObject({ exit_code: 0, planned: 1, trained: 1, reused: 0 });
    expect(summary.results[0]!.tables).toContain(path.join(out, 'report', 'results.csv'));
    expect(summary.results[0]!.page).toBeNull();
    expect(stderr).toMatch(/^done +report\/\[784,128,64,10\] relu/m);

    const again = JSON.parse(cli(temp, ...tinyRun(out)).stdout) as typeof summary;
    expect(again).toMatchObject({ planned: 1, trained: 0, reused: 1 });
  });
});

describe('diff over several files, and --json', () => {
  const repo = path.join(temp, 'repo');
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd: repo, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  };

  it("exits 1 when any table changed, and --json lists each table's changed runs with the columns that moved", () => {
    for (const name of ['report', 'relu-vs-sigmoid']) {
      mkdirSync(path.join(repo, 'results', name), { recursive: true });
      cpSync(`results/${name}/results.csv`, path.join(repo, 'results', name, 'results.csv'));
    }
    cpSync('experiments', path.join(repo, 'experiments'), { recursive: true });
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'results');
    const files = ['experiments/report.yaml', 'experiments/relu-vs-sigmoid.yaml'];
    expect(cli(repo, 'diff', ...files).status).toBe(0);

    const table = path.join(repo, 'results', 'report', 'results.csv');
    writeFileSync(table, readFileSync(table, 'utf8').replace(/,97\.23,completed,/, ',97.31,completed,'));
    const text = cli(repo, 'diff', ...files);
    expect(text.status).toBe(1);
    expect(text.stdout).toContain('1 changed, 0 added, 0 removed, 2 unchanged: results/report/results.csv');
    expect(text.stdout).toContain('no change: the 54 runs of results/relu-vs-sigmoid/results.csv');

    const json = cli(repo, 'diff', ...files, '--json');
    expect(json.status).toBe(1);
    const [changed, same] = documents(json.stdout) as {
      file: string;
      differs: boolean;
      unchanged: number;
      changed: { label: string; changes: { column: string; before: string; after: string }[] }[];
    }[];
    expect([changed!.differs, same!.differs, same!.unchanged]).toEqual([true, false, 54]);
    expect(changed!.changed).toHaveLength(1);
    expect(changed!.changed[0]!.changes).toEqual([{ column: 'test_accuracy', before: '97.23', after: '97.31' }]);
  });
});

import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../support/cli.ts';
import { pythonWith } from '../../support/python.ts';
import { requires } from '../../support/requires.ts';
import { workspace } from '../../support/workspace.ts';

const FILE = 'experiments/relu-vs-sigmoid.yaml';
const temp = workspace('compare').dir;

interface Row {
  slice: string;
  n: number;
  mean_diff: number;
  ci_low: number;
  ci_high: number;
  p_t: number;
  p_wilcoxon: number;
}

/** scipy's numbers for the committed runs, or why they cannot be had (python3 or scipy missing). */
function scipyReference(): { rows: Row[]; version: string } | string {
  const python = pythonWith(['scipy.stats', 'numpy']);
  if (python === null) return 'no python3 that imports scipy and numpy; Debian: apt-get install python3-scipy';
  const result = spawnSync(python, ['test/e2e/cli/scipy_reference.py', 'results/relu-vs-sigmoid/runs'], { encoding: 'utf8', timeout: 60_000 });
  if (result.error) return `${python} could not be started (${result.error.message}); Debian: apt-get install python3-scipy`;
  if (result.status !== 0) return `scipy not usable: ${result.stderr.trim().split('\n').at(-1)}; Debian: apt-get install python3-scipy`;
  const parsed = JSON.parse(result.stdout) as { scipy: string; rows: Row[] };
  return { rows: parsed.rows, version: parsed.scipy };
}

describe('mlp-lab compare on the committed relu-vs-sigmoid results', () => {
  const { code, stdout, stderr } = cli('compare', FILE, '--by', 'activation', '--baseline', 'sigmoid', '--json');
  const rows = JSON.parse(stdout || '[]') as (Row & Record<string, unknown>)[];

  it('prints one object per learning rate and init, and one over all of them', () => {
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(rows).toHaveLength(10);
    expect(Object.keys(rows[0]!)).toEqual(
      expect.arrayContaining(['by', 'value', 'baseline', 'slice', 'n', 'mean_diff', 'ci_low', 'ci_high', 'p_t', 'p_wilcoxon', 'wins', 'ties', 'losses']),
    );
    expect(rows[0]).toMatchObject({
      by: 'activation',
      value: 'relu',
      baseline: 'sigmoid',
      slice: 'learning_rate=0.01 init=report',
      n: 3,
      wins: 3,
      ties: 0,
      losses: 0,
    });
    expect(rows.at(-1)).toMatchObject({ slice: 'all', n: 27 });
  });

  // .ci/run installs Debian's python3-scipy: under CI this check runs, and says so.
  const reference = scipyReference();
  const scipy = requires('python3 with scipy', typeof reference === 'string' ? reference : null);
  scipy.it('agrees with scipy.stats (ttest_rel, its t interval, wilcoxon) to 1e-6', () => {
    const { rows: expected, version } = reference as { rows: Row[]; version: string };
    expect(expected).toHaveLength(10);
    for (const want of expected) {
      const got = rows.find((r) => r.slice === want.slice)!;
      expect(got, want.slice).toBeDefined();
      expect(got.n).toBe(want.n);
      for (const key of ['mean_diff', 'ci_low', 'ci_high', 'p_t', 'p_wilcoxon'] as const) {
        expect(Math.abs(got[key] - want[key]), `${want.slice} ${key}: ${got[key]} vs scipy ${want[key]}`).toBeLessThan(1e-6);
      }
    }
    process.stdout.write(`compare agrees with scipy ${version} on ${expected.length} slices\n`);
  });

  it("prints a table per slice with intervals, tests, Holm and the runs left out (the baseline from the file's compare: section)", () => {
    const text = cli('compare', FILE, '--by', 'activation');
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe('relu-vs-sigmoid: test accuracy (%), relu − sigmoid (activation), paired by seed');
    expect(lines[2]).toMatch(/^learning_rate\s+init\s+pairs\s+difference\s+95% CI\s+p \(t\)\s+p \(Wilcoxon\)\s+wins\/ties\/losses\s+Holm \(t\)$/);
    expect(lines[3]).toMatch(/^0\.01\s+report\s+3\s+\+12\.07\s+\+11\.51 to \+12\.62\s+1\.1e-4\s+0\.25\s+3\/0\/0\s+0\.001 ✓$/);
    expect(text.stdout).toMatch(/\nall\s+27\s+\+24\.12/);
    expect(text.stdout).toContain('Holm (t): the t-test p-values adjusted over 9 slices');
    expect(text.stdout).toContain('Left out: none; every run has its partner.');
  });

  it('compares any metric, including the best test accuracy of the history', () => {
    const best = JSON.parse(cli('compare', FILE, '--by', 'init', '--baseline', 'report', '--metric', 'best_test_accuracy', '--json').stdout) as Row[];
    expect(best.map((r) => r.slice)).toContain('activation=relu learning_rate=0.1');
    const cost = JSON.parse(cli('compare', FILE, '--by', 'activation', '--baseline', 'sigmoid', '--metric', 'test_cost', '--json').stdout) as (Row & {
      wins: number;
    })[];
    expect(cost.at(-1)!.mean_diff).toBeLessThan(0);
    expect(cost.at(-1)!.wins).toBe(27);
  });
});

describe('mlp-lab compare: what it cannot pair', () => {
  it('lists every run that is not finished instead of dropping it', () => {
    const out = path.join(temp, 'empty');
    const { code, stdout } = cli('compare', FILE, '--by', 'activation', '--out', out);
    expect(code).toBe(0);
    expect(stdout).toContain('Left out (54):');
    expect(stdout).toMatch(/\n {2}[0-9a-f]{12} {2}activation=relu learning_rate=0\.01 init=report seed=1: not run yet\n/);
    expect(stdout).toMatch(/\n0\.01\s+report\s+0\s+n\/a\s+n\/a\s+n\/a\s+n\/a\s+0\/0\/0/);
  });

  it('lists a diverged run and its partner', () => {
    const out = path.join(temp, 'diverged');
    cpSync('results/relu-vs-sigmoid', path.join(out, 'relu-vs-sigmoid'), { recursive: true });
    const runs = JSON.parse(cli('plan', FILE, '--json').stdout) as { runs: { id: string; label: string }[] } | { id: string; label: string }[];
    const list = Array.isArray(runs) ? runs : runs.runs;
    const victim = list.find((r) => r.label === 'activation=sigmoid learning_rate=0.1 init=he seed=2')!;
    const metricsFile = path.join(out, 'relu-vs-sigmoid', 'runs', victim.id, 'metrics.json');
    const metrics = JSON.parse(readFileSync(metricsFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(metricsFile, JSON.stringify({ ...metrics, status: 'diverged', test_accuracy: null }));
    const { code, stdout } = cli('compare', FILE, '--by', 'activation', '--baseline', 'sigmoid', '--out', out);
    expect(code).toBe(0);
    expect(stdout).toContain('Left out (2):');
    expect(stdout).toContain(`${victim.id}  ${victim.label}: diverged`);
    expect(stdout).toMatch(/activation=relu learning_rate=0\.1 init=he seed=2: its partner with activation=sigmoid \([0-9a-f]{12}\) diverged/);
    expect(stdout).toMatch(/\n0\.1\s+he\s+2\s/);
    expect(stdout).toMatch(/\nall\s+26\s/);
  });
});

describe('mlp-lab compare: invalid input', () => {
  it.each([
    [['--by', 'activaton'], '--by: error: `activaton` does not vary in this experiment', 'did you mean `activation`?'],
    [['--by', 'activation', '--baseline', 'tanh'], '--baseline: error: `tanh` is not a value of `activation`', 'values of activation: relu, sigmoid'],
    [['--by', 'epochs'], '--by: error: `epochs` does not vary in this experiment', 'these vary: activation, learning_rate, init'],
  ])('%j', (args, message, hint) => {
    const { code, stdout, stderr } = cli('compare', FILE, ...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).toContain(`hint: ${hint}`);
  });

  it('refuses an unknown metric with the list of metrics', () => {
    const { code, stderr } = cli('compare', FILE, '--by', 'activation', '--metric', 'accuracy');
    expect(code).toBe(2);
    expect(stderr).toContain('expected one of test_accuracy, train_accuracy, test_cost, train_cost, seconds, best_test_accuracy');
  });
});

describe('the compare: section of an experiment file', () => {
  it('gives the committed results.md a Comparisons section', () => {
    const markdown = readFileSync('results/relu-vs-sigmoid/results.md', 'utf8');
    expect(markdown).toContain('\n## Comparisons\n\n**test accuracy (%): relu − sigmoid (activation), paired by seed**\n');
    expect(markdown).toMatch(/\n\| \*\*all\*\* \| {2}\| \*\*27\*\* \| \*\*\+24\.12\*\* \| \*\*\+15\.54 to \+32\.70\*\* \|/);
  });

  it('is rebuilt by report, with the runs it leaves out', () => {
    const out = path.join(temp, 'report');
    cpSync('results/relu-vs-sigmoid', path.join(out, 'relu-vs-sigmoid'), { recursive: true });
    const victim = path.join(out, 'relu-vs-sigmoid', 'runs', rows0(out));
    rmSync(path.join(victim, 'metrics.json'));
    expect(cli('report', FILE, '--out', out).code).toBe(0);
    const markdown = readFileSync(path.join(out, 'relu-vs-sigmoid', 'results.md'), 'utf8');
    expect(markdown).toContain('## Comparisons');
    expect(markdown).toContain('| **all** |  | **26** |');
    expect(markdown).toMatch(
      /Left out of the comparison by activation \(2\):\n\n- `[0-9a-f]{12}` activation=relu learning_rate=0\.01 init=report seed=1: not run yet\n/,
    );
  });

  it('leaves a comparison out with its reason when --set collapses the parameter', () => {
    const out = path.join(temp, 'collapsed');
    const { code, stdout } = cli('report', FILE, '--out', out, '--set', 'activation=relu');
    expect(code).toBe(0);
    expect(stdout).toContain('Comparison by activation: not shown (`activation` does not vary in this experiment).');
  });
});

/** The run id of the first run (relu, lr 0.01, init report, seed 1) in a copied store. */
function rows0(out: string): string {
  return readFileSync(path.join(out, 'relu-vs-sigmoid', 'results.csv'), 'utf8')
    .split('\n')[1]!
    .split(',')[0]!;
}

/**
 * `mlp-lab compare --by` on a search crossed with a grid: the comparison is between each cell's
 * best trial (the one `run`'s summary names), paired by seed, on the CLI and in results.md.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { cli } from '../../support/cli.ts';
import { workspace } from '../../support/workspace.ts';

// Two cells (relu, sigmoid), 5 random trials each, every trial on 2 seeds: 20 tiny runs. Random
// search proposes the same learning rates to both cells, so pairing every trial with its partner
// would pair 10 runs; with search seed 4 the cells' best trials are different ones (4 and 3).
const EXPERIMENT = `
name: searched-pairs
dataset: { source: mnist, train_limit: 300, test_limit: 200, validation: 100 }
defaults: { layers: [784, 8, 10], epochs: 1, batch_size: 25, optimizer: momentum, momentum: 0.5 }
seeds: [1, 2]
grid:
  activation: [relu, sigmoid]
search:
  method: random
  trials: 5
  seed: 4
  space:
    learning_rate: { log_uniform: [0.005, 0.5] }
compare:
  - by: activation
    baseline: sigmoid
`;

interface Row {
  run_id: string;
  trial: string;
  activation: string;
  seed: string;
  test_accuracy: string;
}

describe('compare --by on a search with 2 seeds', () => {
  it("pairs the cells' best trials by seed, in the CLI and in results.md", { timeout: 240_000 }, () => {
    const ws = workspace('compare-search');
    const file = ws.write('searched.yaml', EXPERIMENT);
    const out = ws.path('results');
    const run = cli('run', file, '--out', out, '--jobs', '2', '--no-charts');
    expect(run.code, run.stdout + run.stderr).toBe(0);

    // The best trial of each cell as the run's summary names it.
    const named = [...run.stdout.matchAll(/Best trial of searched-pairs \(activation=(relu|sigmoid)\): trial (\d+),/g)].map((m) => [m[1], Number(m[2])]);
    const best = new Map(named as [string, number][]);
    expect([...best.keys()].sort()).toEqual(['relu', 'sigmoid']);
    expect(best.get('relu')).not.toBe(best.get('sigmoid'));

    const { code, stdout, stderr } = cli('compare', file, '--out', out, '--by', 'activation', '--json');
    expect(code, stderr).toBe(0);
    const [row, ...more] = JSON.parse(stdout) as Record<string, unknown>[];
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      by: 'activation',
      value: 'relu',
      baseline: 'sigmoid',
      slice: '-',
      n: 2,
      trial: best.get('relu'),
      baseline_trial: best.get('sigmoid'),
    });

    // The mean difference is that of the two best trials' test accuracies, seed by seed.
    const rows = parse(readFileSync(path.join(out, 'searched-pairs', 'results.csv'), 'utf8'), { columns: true }) as Row[];
    const accuracy = (activation: string, seed: string) =>
      Number(rows.find((r) => r.activation === activation && r.seed === seed && Number(r.trial) === best.get(activation))!.test_accuracy);
    const expected = (accuracy('relu', '1') - accuracy('sigmoid', '1') + (accuracy('relu', '2') - accuracy('sigmoid', '2'))) / 2;
    expect(row!.mean_diff as number).toBeCloseTo(expected, 6);
    expect(row!.ci_low === null).toBe(accuracy('relu', '1') - accuracy('sigmoid', '1') === accuracy('relu', '2') - accuracy('sigmoid', '2'));

    const text = cli('compare', file, '--out', out, '--by', 'activation');
    expect(text.stdout).toContain(`activation=relu: trial ${best.get('relu')} (learning_rate=`);
    expect(text.stdout).toContain("relu − sigmoid (activation), each cell's best trial, paired by seed");
    expect(text.stdout).toContain('Left out: none');

    const markdown = readFileSync(path.join(out, 'searched-pairs', 'results.md'), 'utf8');
    const comparisons = markdown.slice(markdown.indexOf('## Comparisons'));
    expect(comparisons).toContain("relu − sigmoid (activation), each cell's best trial, paired by seed");
    expect(comparisons).toContain(`- activation=sigmoid: trial ${best.get('sigmoid')} (learning_rate=`);
    expect(comparisons).not.toContain('Left out');

    // `best` names the same trials, with settings to paste and no trial index among them.
    const chosen = cli('best', file, '--out', out, '--by', 'activation', '--json');
    expect(chosen.code, chosen.stderr).toBe(0);
    const configurations = JSON.parse(chosen.stdout) as { value: string; settings: Record<string, unknown>; n: number; variant_block: string }[];
    expect(configurations.map((c) => [c.value, c.n, Object.keys(c.settings)])).toEqual([
      ['relu', 2, ['activation', 'learning_rate']],
      ['sigmoid', 2, ['activation', 'learning_rate']],
    ]);
    for (const c of configurations) {
      const trialRow = rows.find((r) => r.activation === c.value && Number(r.trial) === best.get(c.value))! as Row & { learning_rate: string };
      expect(Number((c.settings.learning_rate as number).toPrecision(6))).toBe(Number(trialRow.learning_rate));
      expect(c.variant_block).not.toContain('trial');
    }

    const searched = cli('compare', file, '--out', out, '--by', 'learning_rate');
    expect(searched.code).not.toBe(0);
    expect(searched.stderr).toContain("`learning_rate` is searched: each grid cell's best trial is compared");
  });
});

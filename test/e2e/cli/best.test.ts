import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bestConfigurations } from '../../../src/compare/best.ts';
import type { ResultRow } from '../../../src/tables/result-row.ts';

const BIN = path.resolve('bin/mlp-lab.js');

function row(varying: Record<string, string | number>, seed: number, testAccuracy: number | null, model: string | null = null): ResultRow {
  return {
    runId: `${JSON.stringify(varying)}-${seed}`,
    label: Object.entries(varying)
      .map(([k, v]) => `${k}=${v}`)
      .concat(`seed=${seed}`)
      .join(' '),
    model,
    varying: { ...varying, seed },
    layers: [784, 10],
    activations: ['softmax'],
    learningRate: Number(varying.learning_rate ?? 0.1),
    batchSize: 10,
    epochs: 1,
    init: 'he',
    optimizer: 'sgd',
    seed,
    outcome: testAccuracy === null ? null : { status: 'completed', trainCost: 1, testCost: 1, trainAccuracy: 50, testAccuracy, seconds: 1 },
  };
}

describe('bestConfigurations', () => {
  const rows = [
    row({ activation: 'relu', learning_rate: 0.1 }, 1, 90),
    row({ activation: 'relu', learning_rate: 0.1 }, 2, 92),
    row({ activation: 'relu', learning_rate: 0.01 }, 1, 95),
    row({ activation: 'relu', learning_rate: 0.01 }, 2, null),
    row({ activation: 'sigmoid', learning_rate: 0.1 }, 1, 80),
    row({ activation: 'sigmoid', learning_rate: 0.1 }, 2, 84),
  ];
  const accuracy = (r: ResultRow) => r.outcome?.testAccuracy ?? null;

  it('ranks configurations by their mean over the seeds that finished, and counts the others', () => {
    const [best] = bestConfigurations(rows, 'test_accuracy', null, accuracy);
    expect(best).toMatchObject({ label: 'activation=relu learning_rate=0.01', n: 1, mean: 95, sd: null, missing: 1, seeds: [1] });
  });

  it('gives the best per value of a parameter, with the spread', () => {
    const best = bestConfigurations(rows, 'test_accuracy', 'activation', accuracy);
    expect(best.map((c) => [c.group, c.mean])).toEqual([
      ['relu', 95],
      ['sigmoid', 82],
    ]);
    expect(best[1]!.sd).toBeCloseTo(Math.SQRT2 * 2);
  });

  it('ranks costs lower first', () => {
    const cost = (r: ResultRow) => r.outcome?.testAccuracy ?? null; // read as a cost here
    expect(bestConfigurations(rows, 'test_cost', null, cost)[0]!.mean).toBe(82);
  });
});

describe('mlp-lab best', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  it('names the best configuration per value of --by from the committed sweep, with a variant block', () => {
    const r = cli('best', 'experiments/relu-vs-sigmoid.yaml', '--by', 'activation', '--json');
    expect(r.stderr).toBe('');
    const best = JSON.parse(r.stdout) as { value: string; n: number; mean: number; sd: number; variant_block: string }[];
    expect(best.map((b) => b.value)).toEqual(['relu', 'sigmoid']);
    expect(best[0]!.n).toBe(3);
    expect(best[0]!.mean).toBeGreaterThan(best[1]!.mean);
    expect(best[0]!.variant_block).toMatch(/^ {2}- id: best {3}# test accuracy/);
  });

  it('refuses a --by that does not vary', () => {
    const r = cli('best', 'experiments/relu-vs-sigmoid.yaml', '--by', 'epochs');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--by: error: `epochs` does not vary in this experiment');
  });
});

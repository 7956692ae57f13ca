import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { proposeRound, searchSpace, type Configuration, type Dimension, type TrialResult } from '../../../src/search/index.ts';

/**
 * Our next TPE proposal against Optuna 5's after the same history: the reference is
 * test/fixtures/search/optuna-proposals.json, written by optuna-proposals.py beside it (the next
 * trial of TPESampler(seed=s), its defaults, for 4,000 seeds). This checks what the estimators'
 * test cannot: the good/bad split, the draws from l(x) (truncated normals, rounded integers,
 * categorical kernels) and the choice among 24 candidates. The proposals are a pure function of
 * the seed, so the test cannot flake; a tolerance of 0.05 on each share is 3.6 standard errors
 * of the difference between 2,000 and 4,000 draws at worst (a share of ½), and a change of γ, of
 * the number of candidates or to univariate TPE each exceed it.
 */

interface Summary {
  deciles?: number[];
  shares?: Record<string, number>;
}
interface Reference {
  optuna: string;
  spaces: Record<string, { history: { configuration: Configuration; value: number }[]; summary: Record<string, Summary> }>;
}

const reference = JSON.parse(readFileSync('test/fixtures/search/optuna-proposals.json', 'utf8')) as Reference;
const SPACES: Record<string, Dimension[]> = {
  cube: Array.from({ length: 6 }, (_, i): Dimension => ({ name: `x${i + 1}`, kind: 'uniform', low: 0, high: 1 })),
  mixed: [
    { name: 'learning_rate', kind: 'log_uniform', low: 1e-4, high: 1 },
    { name: 'optimizer', kind: 'choice', values: ['sgd', 'momentum', 'nesterov', 'adam'] },
    { name: 'width', kind: 'int_uniform', low: 1, high: 32 },
    { name: 'rate', kind: 'uniform', low: 0, high: 1 },
  ],
};
const PROPOSALS = 2000;
const TOLERANCE = 0.05;

describe(`the next TPE proposal after a fixed history is distributed as Optuna ${reference.optuna}'s`, () => {
  it.each(Object.keys(SPACES))('%s', (name) => {
    const space = searchSpace(SPACES[name]!);
    const { history, summary } = reference.spaces[name]!;
    const results: TrialResult[] = history.map((h, trial) => ({ trial, configuration: h.configuration, value: h.value }));
    const n = results.length;
    const proposals = Array.from(
      { length: PROPOSALS },
      (_, seed) => proposeRound(space, { method: 'tpe', trials: n + 1, batch: 1, seed, direction: 'minimize' }, n, results)[0]!.configuration,
    );
    for (const d of space.dimensions) {
      const values = proposals.map((p) => p[d.name]);
      const { deciles, shares } = summary[d.name]!;
      if (deciles) {
        // The share of our proposals below each of Optuna's deciles.
        deciles.forEach((q, k) => {
          const below = values.filter((v) => (v as number) <= q).length / PROPOSALS;
          expect(Math.abs(below - (k + 1) / 10), `${d.name} below Optuna's decile ${k + 1}`).toBeLessThan(TOLERANCE);
        });
      } else {
        for (const [value, share] of Object.entries(shares!)) {
          const ours = values.filter((v) => String(v) === value).length / PROPOSALS;
          expect(Math.abs(ours - share), `${d.name} = ${value}`).toBeLessThan(TOLERANCE);
        }
      }
    }
  });
});

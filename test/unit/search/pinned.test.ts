import { describe, expect, it } from 'vitest';
import { proposeRound, randomProposals, searchSpace, sobolProposals, type SearchOptions, type TrialResult } from '../../../src/search/index.ts';

/**
 * The proposals of a seed, pinned: a committed search's trials are its run ids, so a change that
 * moves them (another stream derivation, another rounding, another draw order) would retrain every
 * user's search. Change these values only with such a change, on purpose, and say so.
 */
const space = searchSpace([
  { name: 'learning_rate', kind: 'log_uniform', low: 1e-3, high: 0.5 },
  { name: 'batch_size', kind: 'choice', values: [16, 32, 64, 128] },
  { name: 'epochs', kind: 'int_uniform', low: 1, high: 20 },
]);

describe('pinned proposals of seed 7', () => {
  it('random', () => {
    expect(randomProposals(space, 7, 2).map((p) => p.configuration)).toEqual([
      { batch_size: 16, epochs: 3, learning_rate: 0.0214886608 },
      { batch_size: 32, epochs: 10, learning_rate: 0.3402608374 },
    ]);
  });

  it('sobol', () => {
    expect(sobolProposals(space, 7, 2).map((p) => p.configuration)).toEqual([
      { batch_size: 64, epochs: 14, learning_rate: 0.07290310644 },
      { batch_size: 16, epochs: 3, learning_rate: 0.006234387882 },
    ]);
  });

  it('tpe, the first round after the random start', () => {
    const options: SearchOptions = { method: 'tpe', trials: 18, batch: 6, seed: 7, direction: 'maximize' };
    const results: TrialResult[] = [];
    for (let round = 0; round < 3; round++) {
      for (const p of proposeRound(space, options, round, results)) {
        results.push({ trial: p.trial, configuration: p.configuration, value: -Math.abs(Math.log10(p.configuration.learning_rate as number) + 1.5) });
      }
    }
    expect(results.slice(12, 14).map((r) => r.configuration)).toEqual([
      { batch_size: 16, epochs: 4, learning_rate: 0.04461843612 },
      { batch_size: 32, epochs: 1, learning_rate: 0.07048486662 },
    ]);
  });
});

/**
 * Run ids are pinned: an accidental change to how they are computed (a renamed key, a new default
 * that enters the hash, another canonical form) would orphan every committed result. When a change
 * is meant, bump RUN_ID_VERSION in src/experiment/run-id.ts and update these ids.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadExperiment, MNIST_INFO, runId, type RunConfig } from '../../../src/experiment/index.ts';

describe('pinned run ids', () => {
  it('of a fixed, fully written configuration', () => {
    const config = {
      dataset: { source: 'mnist', train_limit: 1000, test_limit: null, validation: 0 },
      layers: [784, 32, 10],
      activations: ['relu', 'softmax'],
      epochs: 2,
      batch_size: 50,
      learning_rate: 0.1,
      optimizer: { type: 'sgd' },
      init: { scheme: 'he', std: null },
      shuffle: 'epoch',
      history: { every: 'epoch', eval_limit: null },
      seed: 3,
      backend: 'auto',
    } as unknown as RunConfig;
    expect(runId(config, MNIST_INFO.identity)).toBe('78b8ba70515b');
  });

  it('of the shipped report experiment, which name its committed results', () => {
    const ids = loadExperiment('experiments/report.yaml').runs.map((r) => r.id);
    expect(ids).toEqual(['3ed955dae9f5', 'f7bbc75dc4e1', 'c919b5c60658']);
    expect(readdirSync('results/report/runs').sort()).toEqual([...ids].sort());
  });

  it('of the shipped sweep, whose 54 committed runs are all found', () => {
    const ids = loadExperiment('experiments/relu-vs-sigmoid.yaml').runs.map((r) => r.id);
    expect(ids).toHaveLength(54);
    expect(readdirSync('results/relu-vs-sigmoid/runs').sort()).toEqual([...ids].sort());
  });
});

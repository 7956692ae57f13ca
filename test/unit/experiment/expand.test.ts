import { describe, expect, it } from 'vitest';
import { expandExperiment, MNIST_INFO, type ExperimentFile, type Override } from '../../../src/experiment/index.ts';

const base = { name: 'e', defaults: { layers: [784, 32, 10], epochs: 1 } };
const expand = (experiment: object, overrides: Override[] = [], maxRuns?: number) =>
  expandExperiment({ experiment: experiment as ExperimentFile, dataset: MNIST_INFO, overrides, maxRuns });
const ids = (experiment: object, overrides: Override[] = []) => expand(experiment, overrides).runs.map((r) => r.id);

describe('expandExperiment counts', () => {
  it.each([
    ['no grid', base, 1],
    ['one grid key', { ...base, grid: { learning_rate: [0.1, 0.01, 0.001] } }, 3],
    ['two grid keys cross', { ...base, grid: { learning_rate: [0.1, 0.01], init: ['he', 'xavier', 'report'] } }, 6],
    ['a zip group varies together', { ...base, grid: { zip: [{ learning_rate: [0.1, 0.01], batch_size: [64, 32] }] } }, 2],
    ['zip crossed with a grid key', { ...base, grid: { shuffle: ['once', 'epoch'], zip: [{ learning_rate: [0.1, 0.01], batch_size: [64, 32] }] } }, 4],
    ['seeds repeat every configuration', { ...base, grid: { learning_rate: [0.1, 0.01] }, seeds: [1, 2, 3] }, 6],
    ['repeats', { ...base, repeats: 4 }, 4],
    [
      'variants',
      {
        name: 'v',
        variants: [
          { id: 'a', layers: [784, 10] },
          { id: 'b', layers: [784, 16, 10] },
        ],
      },
      2,
    ],
    [
      'variants crossed with the grid',
      {
        name: 'v',
        variants: [
          { id: 'a', layers: [784, 10] },
          { id: 'b', layers: [784, 16, 10] },
        ],
        grid: { epochs: [1, 2] },
      },
      4,
    ],
    ['exclude drops matching runs', { ...base, grid: { init: ['he', 'xavier'], optimizer: ['sgd', 'adam'], exclude: [{ init: 'he', optimizer: 'adam' }] } }, 3],
    [
      'exclude by variant',
      {
        name: 'v',
        variants: [
          { id: 'a', layers: [784, 10] },
          { id: 'b', layers: [784, 16, 10] },
        ],
        grid: { epochs: [1, 2], exclude: [{ variant: 'a', epochs: 2 }] },
      },
      3,
    ],
  ])('%s', (_, experiment, count) => {
    const { runs, findings } = expand(experiment);
    expect(findings).toEqual([]);
    expect(runs).toHaveLength(count);
    expect(runs.map((r) => r.index)).toEqual(runs.map((_, i) => i));
    expect(new Set(runs.map((r) => r.id)).size).toBe(count);
  });
});

describe('run ids', () => {
  it('are 12 hex digits', () => {
    expect(ids(base)[0]).toMatch(/^[0-9a-f]{12}$/);
  });

  it('do not depend on the order of keys', () => {
    const reordered = { defaults: { epochs: 1, layers: [784, 32, 10] }, name: 'e' };
    expect(ids(reordered)).toEqual(ids(base));
  });

  it('do not depend on the experiment name, the position in the grid, the backend or checkpoints', () => {
    const one = ids({ ...base, grid: { learning_rate: [0.1, 0.01] } });
    const other = ids({
      ...base,
      name: 'other',
      defaults: { ...base.defaults, backend: 'js', checkpoint: { every: 50 } },
      grid: { learning_rate: [0.01, 0.1] },
    });
    expect(other).toEqual([...one].reverse());
  });

  it('equal a default written out', () => {
    expect(ids({ ...base, defaults: { ...base.defaults, optimizer: 'sgd', shuffle: 'epoch', seed: 0 } })).toEqual(ids(base));
    expect(ids({ ...base, defaults: { ...base.defaults, early_stopping: { patience: null, min_delta: 0.5 } } })).toEqual(ids(base));
  });

  it('are those of results committed before early stopping and checkpoints existed', () => {
    // results/report/runs/f7bbc75dc4e1: the report's relu model.
    const report = {
      name: 'report',
      dataset: { source: 'mnist' },
      defaults: { epochs: 50, batch_size: 30, learning_rate: 0.01, init: 'report', shuffle: 'once', seed: 42, history: { every: 400, eval_limit: null } },
      variants: [{ id: 'relu', layers: [784, 128, 64, 10], activation: 'relu' }],
    };
    expect(ids(report)).toEqual(['f7bbc75dc4e1']);
  });

  it.each([
    ['epochs', { epochs: 2 }],
    ['learning rate', { learning_rate: 0.02 }],
    ['seed', { seed: 1 }],
    ['history interval', { history: { every: 100 } }],
    ['early stopping', { early_stopping: { patience: 3, metric: 'test_cost' } }],
  ])('change with the %s', (_, change) => {
    expect(ids({ ...base, defaults: { ...base.defaults, ...change } })).not.toEqual(ids(base));
  });

  it('change with the dataset limits', () => {
    expect(ids({ ...base, dataset: { train_limit: 1000 } })).not.toEqual(ids(base));
  });

  it('ignore settings the optimizer does not use', () => {
    expect(ids({ ...base, defaults: { ...base.defaults, beta1: 0.5 } })).toEqual(ids(base));
  });
});

describe('seeds', () => {
  it('are the seed setting for every run when none are listed', () => {
    const { runs } = expand({ ...base, defaults: { ...base.defaults, seed: 42 }, grid: { learning_rate: [0.1, 0.01] } });
    expect(runs.map((r) => r.config.seed)).toEqual([42, 42]);
  });

  it('are seed + k for repeat k', () => {
    const { runs } = expand({ ...base, defaults: { ...base.defaults, seed: 42 }, repeats: 3 });
    expect(runs.map((r) => r.config.seed)).toEqual([42, 43, 44]);
  });

  it("follow a variant's own seed", () => {
    const { runs } = expand({
      name: 'v',
      defaults: { seed: 1 },
      variants: [
        { id: 'a', layers: [784, 10], seed: 10 },
        { id: 'b', layers: [784, 10] },
      ],
      repeats: 2,
    });
    expect(runs.map((r) => r.config.seed)).toEqual([10, 11, 1, 2]);
  });

  it('are the listed seeds, innermost', () => {
    const { runs } = expand({ ...base, grid: { learning_rate: [0.1, 0.01] }, seeds: [5, 6] });
    expect(runs.map((r) => [r.config.learning_rate, r.config.seed])).toEqual([
      [0.1, 5],
      [0.1, 6],
      [0.01, 5],
      [0.01, 6],
    ]);
  });
});

describe('resolved runs', () => {
  it('give every parameter explicitly', () => {
    const [run] = expand({ ...base, defaults: { ...base.defaults, optimizer: 'adam', init: 'normal' } }).runs;
    expect(run?.config).toEqual({
      dataset: { source: 'mnist', train_limit: null, test_limit: null, validation: 0 },
      layers: [784, 32, 10],
      activations: ['relu', 'softmax'],
      epochs: 1,
      batch_size: 32,
      learning_rate: 0.01,
      optimizer: { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
      init: { scheme: 'normal', std: 0.1 },
      shuffle: 'epoch',
      history: { every: 'epoch', eval_limit: null },
      seed: 0,
      backend: 'auto',
      checkpoint: { every: '10s' },
    });
  });

  it('apply defaults < variant < grid < --set', () => {
    const experiment = {
      name: 'v',
      defaults: { layers: [784, 10], epochs: 1, batch_size: 8 },
      variants: [{ id: 'a', epochs: 2, batch_size: 16 }],
      grid: { batch_size: [64] },
    };
    const [run] = expand(experiment, [{ key: 'epochs', value: 5 }]).runs;
    expect([run?.config.epochs, run?.config.batch_size]).toEqual([5, 64]);
  });

  it("let a grid `activation` replace the defaults' `activations`", () => {
    const { runs } = expand({ name: 'a', defaults: { layers: [784, 8, 8, 10], activations: ['relu', 'relu', 'softmax'] }, grid: { activation: ['sigmoid'] } });
    expect(runs[0]?.config.activations).toEqual(['sigmoid', 'sigmoid', 'softmax']);
  });

  it('name what varies and label by it', () => {
    const { runs } = expand({
      name: 'v',
      variants: [
        { id: 'a', label: 'A', layers: [784, 10] },
        { id: 'b', layers: [784, 16, 10] },
      ],
      grid: { learning_rate: [0.1, 0.01] },
      seeds: [1, 2],
    });
    expect(runs[0]?.varying).toEqual({ learning_rate: 0.1, seed: 1, layers: '[784,10]' });
    expect(runs.map((r) => r.label).slice(0, 2)).toEqual(['A learning_rate=0.1 seed=1', 'A learning_rate=0.1 seed=2']);
    expect(runs[4]?.label).toBe('b learning_rate=0.1 seed=1');
    expect(runs[4]?.variant).toBe('b');
  });

  it('estimate the work: training, history records and the final evaluation', () => {
    const weights = 784 * 32 + 32 * 10;
    const [run] = expand({ ...base, dataset: { train_limit: 1000 }, defaults: { ...base.defaults, batch_size: 100, epochs: 2 } }).runs;
    // 2 epochs of 1,000 images (6 FLOPs per weight each), a record per epoch on the 1,000 training
    // and all 10,000 test images, and the final evaluation of both (2 FLOPs per weight each).
    expect(run?.work).toMatchObject({ iterations: 20, flops: weights * (6 * 1000 * 2 + 2 * 2 * (1000 + 10_000) + 2 * (1000 + 10_000)) });

    const [sampled] = expand({
      ...base,
      dataset: { train_limit: 1000, validation: 100 },
      defaults: { ...base.defaults, batch_size: 100, epochs: 2, history: { every: 7, eval_limit: 500 } },
    }).runs;
    // 900 training images: 9 batches an epoch, 18 iterations, records at 7, 14 and 18.
    expect(sampled?.work).toMatchObject({
      iterations: 18,
      flops: weights * (6 * 900 * 2 + 2 * 3 * (500 + 500 + 100) + 2 * (900 + 10_000 + 100)),
    });
  });

  it('collapse a grid axis that --set overrides, with a warning that counts the runs', () => {
    const { runs, findings } = expand({ ...base, grid: { learning_rate: [0.1, 0.01], init: ['he', 'xavier'] } }, [{ key: 'learning_rate', value: 0.5 }]);
    expect(findings.map((f) => [f.code, f.severity, f.message])).toEqual([
      ['set-collapses', 'warning', '--set learning_rate replaces values that vary in the grid: 4 runs become 2'],
    ]);
    expect(runs.map((r) => r.config.learning_rate)).toEqual([0.5, 0.5]);
    expect(Object.keys(runs[0]!.varying)).toEqual(['init']);
  });

  it('start the repeats at the seed that --set gives, as at the seed of the file', () => {
    const repeated = { ...base, defaults: { ...base.defaults, seed: 5 }, repeats: 3 };
    expect(expand(repeated).runs.map((r) => r.config.seed)).toEqual([5, 6, 7]);
    for (const overrides of [
      [{ key: 'seed', value: 7 }],
      [
        { key: 'seed', value: 7 },
        { key: 'repeats', value: 3 },
      ],
    ] as Override[][]) {
      const { runs, findings } = expand(repeated, overrides);
      expect(findings).toEqual([]);
      expect(runs.map((r) => r.config.seed)).toEqual([7, 8, 9]);
    }
  });

  it('keep every run of variants crossed with a grid and repeats under --set seed', () => {
    const experiment = {
      name: 'v',
      repeats: 2,
      variants: [
        { id: 'a', layers: [784, 16, 10] },
        { id: 'b', layers: [784, 32, 10] },
      ],
      grid: { activation: ['relu', 'sigmoid'] },
    };
    const { runs, findings } = expand(experiment, [{ key: 'seed', value: 7 }]);
    expect(findings).toEqual([]);
    expect(runs).toHaveLength(8);
    expect(runs.map((r) => r.config.seed)).toEqual([7, 8, 7, 8, 7, 8, 7, 8]);
  });

  it("warn when --set seed replaces a list of seeds, or a variant's own value", () => {
    const seeds = expand({ ...base, seeds: [1, 2, 3] }, [{ key: 'seed', value: 7 }]);
    expect(seeds.runs).toHaveLength(1);
    expect(seeds.findings.map((f) => f.message)).toEqual(['--set seed replaces values that vary in `seeds`: 3 runs become 1']);
    const variants = expand(
      {
        name: 'v',
        defaults: { layers: [784, 10] },
        variants: [
          { id: 'a', epochs: 1 },
          { id: 'b', epochs: 2 },
        ],
      },
      [{ key: 'epochs', value: 3 }],
    );
    expect(variants.findings.map((f) => f.message)).toEqual(['--set epochs replaces values that vary in the variants: 2 runs become 1']);
  });

  it('plan a run once when settings it ignores vary, with a warning', () => {
    const { runs, findings } = expand({ ...base, grid: { init_std: [0.1, 0.2] } });
    expect(runs).toHaveLength(1);
    expect(findings.map((f) => [f.code, f.severity])).toEqual([['duplicate-run', 'warning']]);
  });

  it('warn about an exclude rule that matches nothing', () => {
    const { findings } = expand({ ...base, grid: { init: ['he', 'xavier'], exclude: [{ init: 'report' }] } });
    expect(findings.map((f) => f.code)).toEqual(['exclude-unused']);
  });

  it('respect the run limit, lifted by maxRuns', () => {
    const experiment = { ...base, max_runs: 2, grid: { learning_rate: [0.1, 0.01, 0.001] } };
    expect(expand(experiment).findings.map((f) => f.code)).toEqual(['too-many-runs']);
    expect(expand(experiment, [], 3).runs).toHaveLength(3);
  });

  it('refuse 800 million runs at once, even with a --max-runs that would allow them', () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    const experiment = { ...base, grid: { epochs: values(1000), batch_size: values(800), seed: values(1000) } };
    const [finding] = expand(experiment).findings;
    expect(finding?.code).toBe('too-many-runs');
    expect(finding?.hint).not.toMatch(/--max-runs/);
    const lifted = expand(experiment, [], 800_000_000).findings;
    expect(lifted.map((f) => f.code)).toEqual(['too-many-runs']);
    expect(lifted[0]?.message).toContain('800,000,000 runs');
  });

  it('is deterministic', () => {
    const experiment = { ...base, grid: { learning_rate: [0.1, 0.01], init: ['he', 'xavier'] }, seeds: [1, 2] };
    expect(expand(experiment)).toEqual(expand(experiment));
  });
});

import { describe, expect, it } from 'vitest';
import { expandExperiment, MNIST_INFO, parseOverrides, toTrainConfig, type ExperimentFile, type Override } from '../../../src/experiment/index.ts';
import { experimentValidator } from '../../../src/experiment/validate.ts';
import { runDocument } from '../../../src/queue/run-document.ts';

const base = { name: 'e', defaults: { layers: [784, 32, 16, 10], epochs: 3 } };
const expand = (experiment: object, overrides: Override[] = []) =>
  expandExperiment({ experiment: experiment as ExperimentFile, dataset: MNIST_INFO, overrides });
const withDefaults = (extra: object) => ({ ...base, defaults: { ...base.defaults, ...extra } });
const only = (experiment: object) => {
  const { runs, findings } = expand(experiment);
  expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  expect(runs).toHaveLength(1);
  return runs[0]!;
};

describe('dropout, weight_decay and lr_schedule in a run', () => {
  it('leave the run id alone at their defaults, written out or not', () => {
    const plain = only(base);
    expect(plain.config).not.toHaveProperty('dropout');
    expect(plain.config).not.toHaveProperty('weight_decay');
    expect(plain.config).not.toHaveProperty('lr_schedule');
    const explicit = only(
      withDefaults({ dropout: 0, weight_decay: 0, lr_schedule: 'constant', warmup_epochs: 0, lr_gamma: 0.5, min_lr: 0.001, lr_step_epochs: 3 }),
    );
    expect(explicit.id).toBe(plain.id);
    expect(only(withDefaults({ dropout: [0, 0] })).id).toBe(plain.id);
  });

  it("enter the run id when set, a single rate meaning every hidden layer's", () => {
    const plain = only(base).id;
    const dropout = only(withDefaults({ dropout: 0.2 }));
    expect(dropout.config.dropout).toEqual([0.2, 0.2]);
    expect(dropout.id).not.toBe(plain);
    expect(only(withDefaults({ dropout: [0.2, 0.2] })).id).toBe(dropout.id);
    expect(only(withDefaults({ dropout: [0.5, 0] })).config.dropout).toEqual([0.5, 0]);
    expect(only(withDefaults({ weight_decay: 1e-4 })).id).not.toBe(plain);
    expect(only(withDefaults({ warmup_epochs: 1 })).config.lr_schedule).toEqual({ type: 'constant', warmup_epochs: 1 });
  });

  it("keep only the chosen schedule's own settings, so the others cannot split one run into two", () => {
    const cosine = only(withDefaults({ lr_schedule: 'cosine', min_lr: 1e-4, lr_gamma: 0.5 }));
    expect(cosine.config.lr_schedule).toEqual({ type: 'cosine', min_lr: 1e-4, warmup_epochs: 0 });
    expect(only(withDefaults({ lr_schedule: 'cosine', min_lr: 1e-4, lr_gamma: 0.9 })).id).toBe(cosine.id);
    expect(only(withDefaults({ lr_schedule: 'step', lr_step_epochs: 2, lr_gamma: 0.5, min_lr: 3 })).config.lr_schedule).toEqual({
      type: 'step',
      step_epochs: 2,
      gamma: 0.5,
      warmup_epochs: 0,
    });
    expect(only(withDefaults({ lr_schedule: 'exponential', lr_gamma: 0.9 })).config.lr_schedule).toEqual({ type: 'exponential', gamma: 0.9, warmup_epochs: 0 });
  });

  it('reach the core as TrainConfig fields', () => {
    const run = only(withDefaults({ dropout: [0.5, 0.1], weight_decay: 0.01, lr_schedule: 'step', lr_step_epochs: 2, lr_gamma: 0.5, warmup_epochs: 1 }));
    const config = toTrainConfig(run.config);
    expect(config.dropout).toEqual([0.5, 0.1]);
    expect(config.weightDecay).toBe(0.01);
    expect(config.learningRateSchedule).toEqual({ type: 'step', stepEpochs: 2, gamma: 0.5, warmupEpochs: 1 });
    const plain = toTrainConfig(only(base).config);
    expect(plain).not.toHaveProperty('dropout');
    expect(plain).not.toHaveProperty('learningRateSchedule');
  });

  it('are grid keys: each value its own run', () => {
    const { runs, findings } = expand({
      ...base,
      grid: { dropout: [0, 0.2, [0.5, 0.2]], weight_decay: [0, 1e-4], lr_schedule: ['constant', 'cosine'] },
    });
    expect(findings).toEqual([]);
    expect(runs).toHaveLength(12);
    expect(new Set(runs.map((r) => r.id)).size).toBe(12);
    expect(new Set(runs.map((r) => r.varying.dropout))).toEqual(new Set([0, 0.2, '[0.5,0.2]']));
  });

  it('are --set keys', () => {
    const { overrides, problems } = parseOverrides(['dropout=0.2', 'weight_decay=1e-4', 'lr_schedule=exponential', 'lr_gamma=0.9']);
    expect(problems).toEqual([]);
    const run = expand(base, overrides).runs[0]!;
    expect(run.config.dropout).toEqual([0.2, 0.2]);
    expect(run.config.weight_decay).toBe(1e-4);
    expect(run.config.lr_schedule).toEqual({ type: 'exponential', gamma: 0.9, warmup_epochs: 0 });
  });

  it("survive the queue's run document: it expands to the same run id", () => {
    const run = only(withDefaults({ dropout: [0.5, 0.1], weight_decay: 0.01, lr_schedule: 'cosine', min_lr: 1e-4, warmup_epochs: 1 }));
    const again = only(runDocument(run.config, 'e'));
    expect(again.id).toBe(run.id);
    expect(again.config).toEqual(run.config);
  });

  it.each([
    ['a dropout list of the wrong length', { dropout: [0.5] }, 'dropout-count', /1 rate but layers \[784,32,16,10\] have 2 hidden layers/],
    ['a warmup as long as the run', { warmup_epochs: 3 }, 'bad-schedule', /warmup_epochs is 3, but the run has only 3 epochs/],
    [
      'a cosine floor above the learning rate',
      { lr_schedule: 'cosine', learning_rate: 0.01, min_lr: 0.1 },
      'bad-schedule',
      /min_lr 0.1 is not below learning_rate 0.01/,
    ],
  ])('refuse %s', (_, extra, code, message) => {
    const { runs, findings } = expand(withDefaults(extra));
    expect(runs).toEqual([]);
    expect(findings).toEqual([expect.objectContaining({ code, severity: 'error', message: expect.stringMatching(message) })]);
  });
});

describe('the schema', () => {
  const valid = (extra: object) => experimentValidator()(withDefaults(extra));
  it.each([
    [{ dropout: 0.5 }, true],
    [{ dropout: [0, 0.99] }, true],
    [{ dropout: 1 }, false],
    [{ dropout: [-0.1, 0] }, false],
    [{ dropout: [] }, false],
    [{ weight_decay: -1 }, false],
    [{ lr_schedule: 'linear' }, false],
    [{ lr_gamma: 0 }, false],
    [{ lr_gamma: 1.5 }, false],
    [{ warmup_epochs: 0.5 }, false],
    [{ lr_step_epochs: 0 }, false],
    [{ min_lr: -1 }, false],
  ])('%j valid: %s', (extra, expected) => {
    expect(valid(extra)).toBe(expected);
  });
});

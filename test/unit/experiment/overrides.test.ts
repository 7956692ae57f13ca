import { describe, expect, it } from 'vitest';
import { parseOverrides } from '../../../src/experiment/index.ts';
import { toTrainConfig, type RunConfig } from '../../../src/experiment/run-config.ts';

describe('parseOverrides (--set)', () => {
  it.each([
    ['epochs=1', { key: 'epochs', value: 1 }],
    ['learning_rate=1e-3', { key: 'learning_rate', value: 0.001 }],
    ['dataset.train_limit=5000', { key: 'dataset.train_limit', value: 5000 }],
    ['dataset.test_limit=null', { key: 'dataset.test_limit', value: null }],
    ['history.every=epoch', { key: 'history.every', value: 'epoch' }],
    ['layers=[784, 64, 10]', { key: 'layers', value: [784, 64, 10] }],
    ['defaults.init=xavier', { key: 'init', value: 'xavier' }],
    ['seeds=[1,2]', { key: 'seeds', value: [1, 2] }],
    ['backend=js', { key: 'backend', value: 'js' }],
  ])('%s', (argument, override) => {
    expect(parseOverrides([argument])).toEqual({ overrides: [override], problems: [] });
  });

  it('keeps the last of repeated keys', () => {
    expect(parseOverrides(['epochs=1', 'epochs=2']).overrides).toEqual([{ key: 'epochs', value: 2 }]);
  });

  it.each([
    ['epochs', 'bad-set'],
    ['=3', 'bad-set'],
    ['epoch=1', 'unknown-key'],
    ['train_limit=5', 'unknown-key'],
    ['epochs=0', 'out-of-range'],
    ['epochs=one', 'wrong-type'],
    ['optimizer=adamw', 'bad-value'],
    ['layers=[784', 'yaml-syntax'],
  ])('%s is reported as %s', (argument, code) => {
    const { overrides, problems } = parseOverrides([argument]);
    expect(overrides).toEqual([]);
    expect(problems.map((p) => [p.code, p.file, p.line])).toEqual([[code, '--set', null]]);
  });

  it('suggests the dataset key for a bare limit', () => {
    expect(parseOverrides(['train_limit=5']).problems[0]?.hint).toBe('did you mean `dataset.train_limit`?');
  });

  it("names a group's settings for the group's name, and lists every setting in lines of at most ~100 characters otherwise", () => {
    expect(parseOverrides(['dataset=0']).problems[0]?.hint).toBe(
      '`dataset` is a group of settings: dataset.train_limit, dataset.test_limit, dataset.validation',
    );
    const hint = parseOverrides(['zzzz=1']).problems[0]!.hint!;
    expect(hint).toMatch(/^settings: layers, /);
    expect(hint).toContain('dropout');
    expect(hint.split('\n').every((line) => line.length <= 110)).toBe(true);
  });
});

describe('toTrainConfig', () => {
  const config: RunConfig = {
    dataset: { source: 'mnist', train_limit: null, test_limit: null, validation: 0 },
    layers: [784, 128, 64, 10],
    activations: ['relu', 'relu', 'softmax'],
    epochs: 50,
    batch_size: 30,
    learning_rate: 0.01,
    optimizer: { type: 'momentum', momentum: 0.9, nesterov: true },
    init: { scheme: 'report', std: null },
    shuffle: 'once',
    history: { every: 400, eval_limit: 1000 },
    seed: 42,
    backend: 'auto',
    checkpoint: { every: '10s' },
  };

  it("maps the snake_case run config to the core's parameters", () => {
    expect(toTrainConfig(config)).toEqual({
      layers: [784, 128, 64, 10],
      activations: ['relu', 'relu', 'softmax'],
      epochs: 50,
      batchSize: 30,
      learningRate: 0.01,
      optimizer: { type: 'momentum', momentum: 0.9, nesterov: true },
      init: { scheme: 'report', std: 0.1 },
      shuffle: 'once',
      historyEvery: 400,
      evalLimit: 1000,
      seed: 42,
      earlyStopping: null,
    });
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandExperiment, loadExperiment } from '../../../src/experiment/index.ts';
import { experimentSearch, proposalSettings } from '../../../src/experiment/search.ts';
import { proposeRound, type Configuration } from '../../../src/search/index.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-search-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const at = path.join(dir, name);
  writeFileSync(at, text);
  return at;
}

// The section as issue 18 writes it, with the validation set its metric needs.
const EXAMPLE = `name: tuning
dataset: { train_limit: 2000, validation: 500 }
defaults:
  layers: [784, 64, 10]
  optimizer: momentum
grid:
  activation: [relu, sigmoid]
search:
  method: tpe
  trials: 40
  batch: 8
  seed: 7
  metric: validation_accuracy
  space:
    learning_rate: { log_uniform: [0.001, 0.5] }
    momentum: { uniform: [0.0, 0.99] }
    batch_size: { choice: [16, 32, 64, 128] }
    layers: { choice: [[784, 64, 10], [784, 128, 64, 10], [784, 256, 128, 10]] }
    init: { choice: [he, xavier] }
    epochs: { int_uniform: [1, 20] }
`;

describe('the search: section', () => {
  it('validates the documented example without a warning', () => {
    const loaded = loadExperiment(file('example.yaml', EXAMPLE));
    expect(loaded.warnings.map((w) => `${w.code} ${w.line}:${w.col}`)).toEqual([]);
    expect(loaded.runs.map((r) => r.varying.activation)).toEqual(['relu', 'sigmoid']);
  });

  it("gives the samplers its space and settings, and the metric's direction", () => {
    const search = experimentSearch(loadExperiment(file('example.yaml', EXAMPLE)).experiment)!;
    expect(search.options).toEqual({ method: 'tpe', trials: 40, batch: 8, seed: 7, direction: 'maximize', pruner: null });
    expect(search.space.dimensions.map((d) => d.name)).toEqual(['batch_size', 'epochs', 'init', 'layers', 'learning_rate', 'momentum']);
    expect(search.pruner).toBeNull();
  });

  it("turns a proposal into runs of every grid cell, its values placed over the cell's; equal proposals, equal run ids", () => {
    const loaded = loadExperiment(file('example.yaml', EXAMPLE));
    const search = experimentSearch(loaded.experiment)!;
    const [first, second] = proposeRound(search.space, search.options, 0, []);
    const expand = (configuration: Configuration) =>
      expandExperiment({ experiment: loaded.experiment, dataset: loaded.dataset, layer: proposalSettings(configuration, search.pruner) }).runs;
    const runs = expand(first!.configuration);
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      expect(run.config.learning_rate).toBe(first!.configuration.learning_rate);
      expect(run.config.layers).toEqual(first!.configuration.layers);
      expect(run.config.optimizer).toEqual({ type: 'momentum', momentum: first!.configuration.momentum, nesterov: false });
    }
    expect(expand({ ...first!.configuration }).map((r) => r.id)).toEqual(runs.map((r) => r.id));
    expect(expand(second!.configuration).map((r) => r.id)).not.toEqual(runs.map((r) => r.id));
  });

  it("with a pruner, a trial's run trains max_epochs", () => {
    const text = EXAMPLE.replace('    epochs: { int_uniform: [1, 20] }\n', '  pruner: { method: successive_halving, min_epochs: 1, max_epochs: 27, eta: 3 }\n');
    const loaded = loadExperiment(file('pruned.yaml', text));
    const search = experimentSearch(loaded.experiment)!;
    expect(search.pruner).toEqual({ method: 'successive_halving', minEpochs: 1, maxEpochs: 27, eta: 3 });
    const [proposal] = proposeRound(search.space, search.options, 0, []);
    const runs = expandExperiment({
      experiment: loaded.experiment,
      dataset: loaded.dataset,
      layer: proposalSettings(proposal!.configuration, search.pruner),
    }).runs;
    expect(runs.map((r) => r.config.epochs)).toEqual([27, 27]);
  });

  it('refuses `epochs` in the space beside a pruner, and warns when a discrete space is smaller than `trials`', () => {
    const both = EXAMPLE.replace('  space:', '  pruner: { method: hyperband, max_epochs: 9 }\n  space:');
    expect(() => loadExperiment(file('both.yaml', both))).toThrow(/epochs.*cannot be searched/);
    const small = EXAMPLE.replace(/ {4}learning_rate.*\n {4}momentum.*\n/, '').replace(/ {4}epochs.*\n/, '');
    const loaded = loadExperiment(file('small.yaml', small));
    expect(loaded.warnings.map((w) => w.code)).toContain('search-capped');
    expect(loaded.warnings.find((w) => w.code === 'search-capped')?.message).toMatch(/only 24 configurations/);
    expect(experimentSearch(loaded.experiment)!.options.trials).toBe(24);
    const batch = loadExperiment(file('batch.yaml', EXAMPLE.replace('method: tpe', 'method: sobol')));
    expect(batch.warnings.map((w) => `${w.code} ${w.line}:${w.col}`)).toEqual(['search-batch-unused 11:3']);
  });

  it('lets a search supply `layers` that no default gives', () => {
    const text = EXAMPLE.replace('  layers: [784, 64, 10]\n', '');
    expect(loadExperiment(file('layers.yaml', text)).runs).toHaveLength(2);
  });
});

describe('search problems beyond the fixtures', () => {
  const base =
    'name: x\ndataset: { train_limit: 1000, validation: 100 }\ndefaults: { layers: [784, 16, 10], epochs: 1 }\nsearch:\n  method: random\n  trials: 4\n  space:\n';
  const errors = (space: string, extra = '') => {
    try {
      loadExperiment(file('problem.yaml', `${base}${space}${extra}`));
      return [];
    } catch (error) {
      return (error as { problems: { code: string; line: number; col: number; hint?: string }[] }).problems.map((p) => `${p.code} ${p.line}:${p.col}`);
    }
  };

  it.each([
    ['two kinds for one parameter', '    learning_rate: { uniform: [0.1, 0.2], log_uniform: [0.1, 0.2] }\n', '', ['search-kinds 8:20']],
    ["a kind the parameter's type does not take", '    epochs: { uniform: [1, 20] }\n', '', ['unknown-kind 8:15']],
    ['the seed', '    seed: { int_uniform: [0, 9] }\n', '', ['unknown-parameter 8:5']],
    ["a bound outside the parameter's range", '    momentum: { uniform: [0, 1.5] }\n', '', ['out-of-range 8:30']],
    ['a range of one value', '    learning_rate: { uniform: [0.1] }\n', '', ['too-few-items 8:31']],
    [
      'epochs in the grid beside a pruner',
      '    learning_rate: { log_uniform: [0.001, 0.1] }\n',
      '  pruner: { method: hyperband, max_epochs: 9 }\ngrid:\n  epochs: [1, 2]\n',
      ['search-conflict 9:3'],
    ],
    ['a choice whose value is invalid for the parameter', '    init: { choice: [he, glorot] }\n', '', ['bad-value 8:26']],
  ])('%s', (_, space, extra, expected) => {
    expect(errors(space, extra)).toEqual(expected);
  });
});

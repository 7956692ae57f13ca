import type { ProblemCode } from '../errors.ts';
import { dimensionProblem, plannedTrials, searchSpace } from '../search/index.ts';
import type { ResolvedRun } from './expand.ts';
import type { RunConfig } from './run-config.ts';
import type { ExperimentFile, ParameterName } from './schema.ts';
import { searchDimensions } from './search.ts';
import type { Finding } from './settings.ts';

/**
 * The `search:` section's checks that the schema cannot make, against the runs of the grid it is
 * crossed with (one search per run listed here: each cell of the grid, each seed): ranges, keys
 * the grid also varies or no run uses, the pruner's rungs, the metric's data, and the number of
 * runs. A run of a search is its cell with the proposal's values on top (search.ts).
 */

/** Parameters that only some runs use, with the parameter that decides it and what it must be. */
const USED_WHEN: Partial<Record<ParameterName, { by: ParameterName; needs: string; uses: (c: RunConfig) => boolean }>> = {
  momentum: { by: 'optimizer', needs: 'optimizer: momentum', uses: (c) => c.optimizer.type === 'momentum' },
  nesterov: { by: 'optimizer', needs: 'optimizer: momentum', uses: (c) => c.optimizer.type === 'momentum' },
  beta1: { by: 'optimizer', needs: 'optimizer: adam', uses: (c) => c.optimizer.type === 'adam' },
  beta2: { by: 'optimizer', needs: 'optimizer: adam', uses: (c) => c.optimizer.type === 'adam' },
  epsilon: { by: 'optimizer', needs: 'optimizer: adam', uses: (c) => c.optimizer.type === 'adam' },
  init_std: { by: 'init', needs: 'init: normal', uses: (c) => c.init.scheme === 'normal' },
  'early_stopping.min_delta': { by: 'early_stopping.patience', needs: 'early_stopping: {patience: ...}', uses: (c) => c.early_stopping !== undefined },
  'early_stopping.metric': { by: 'early_stopping.patience', needs: 'early_stopping: {patience: ...}', uses: (c) => c.early_stopping !== undefined },
};

export function checkSearch(experiment: ExperimentFile, runs: readonly ResolvedRun[], maxRuns: number): Finding[] {
  const search = experiment.search;
  if (!search) return [];
  const findings: Finding[] = [];
  const error = (path: (string | number)[], code: ProblemCode, message: string, hint?: string, key = false) =>
    findings.push({ code, severity: 'error', origin: { kind: 'file', path: ['search', ...path] }, key, message, hint });
  const space = search.space as Record<string, unknown>;
  const dimensions = searchDimensions(space);
  const names = Object.keys(space) as ParameterName[];

  for (const d of dimensions) {
    const problem = dimensionProblem(d);
    if (problem && d.kind !== 'choice') {
      error(
        ['space', d.name, d.kind],
        'search-range',
        `\`search.space.${d.name}\`: ${problem}`,
        d.low === d.high
          ? `a single value is no search: set \`${d.name}: ${d.low}\` in \`defaults:\``
          : `write [low, high] with low < high: [${d.high}, ${d.low}]`,
      );
    }
  }

  const grid = (experiment.grid ?? {}) as Record<string, unknown>;
  const inZip = new Set(((grid.zip ?? []) as Record<string, unknown>[]).flatMap((group) => Object.keys(group)));
  for (const name of names) {
    if (name in grid || inZip.has(name)) {
      error(
        ['space', name],
        'grid-conflict',
        `\`${name}\` varies twice: in the grid and in the search`,
        'search it, or list its values in the grid (each grid cell is then searched), not both',
        true,
      );
    }
    const rule = USED_WHEN[name];
    if (rule && runs.length > 0 && !names.includes(rule.by) && !runs.some((r) => rule.uses(r.config))) {
      error(
        ['space', name],
        'search-unused',
        `no run uses \`${name}\`: it applies only with ${rule.needs}`,
        `set ${rule.needs} (or search \`${rule.by}\` too), or remove \`${name}\` from the space`,
        true,
      );
    }
  }

  const pruner = search.pruner;
  if (pruner) {
    const min = pruner.min_epochs ?? 1;
    if (min > pruner.max_epochs)
      error(
        ['pruner', 'min_epochs'],
        'search-pruner-range',
        `min_epochs (${min}) is more than max_epochs (${pruner.max_epochs})`,
        'the first rung comes before the last: min_epochs ≤ max_epochs',
      );
    if (names.includes('epochs'))
      error(
        ['space', 'epochs'],
        'search-conflict',
        "with a pruner, the epochs of a trial are its rungs': `epochs` cannot be searched",
        'remove `epochs` from the space; the pruner trains up to max_epochs',
        true,
      );
    else if ('epochs' in grid)
      error(
        ['pruner'],
        'search-conflict',
        "with a pruner, the epochs of a trial are its rungs': the grid cannot vary `epochs` too",
        'remove `epochs` from the grid; the pruner trains up to max_epochs',
        true,
      );
  }

  const metric = search.metric ?? 'validation_accuracy';
  if (metric.startsWith('validation_') && !names.includes('dataset.validation') && runs.some((r) => r.config.dataset.validation === 0)) {
    error(
      search.metric ? ['metric'] : [],
      'no-validation-set',
      `the search judges trials by ${metric}, but ${runs.every((r) => r.config.dataset.validation === 0) ? 'there is no validation set' : 'some runs have no validation set'}`,
      'hold out images with `dataset: {validation: 5000}` (tuning on the test set would overstate the result), or set `metric: test_accuracy`',
      !search.metric,
    );
  }

  if (findings.length > 0) return findings;
  const { trials, capped } = plannedTrials(searchSpace(dimensions), search.trials);
  if (capped) {
    findings.push({
      code: 'search-capped',
      severity: 'warning',
      origin: { kind: 'file', path: ['search', 'trials'] },
      message: `the space has only ${trials} configurations: the search tries each once, ${trials} trials instead of ${search.trials}`,
    });
  }
  if (search.batch !== undefined && search.method !== 'tpe') {
    findings.push({
      code: 'search-batch-unused',
      severity: 'warning',
      origin: { kind: 'file', path: ['search', 'batch'] },
      key: true,
      message: `\`batch\` is ignored by ${search.method}: its proposals do not depend on results, so every trial is proposed at once`,
      hint: 'remove `batch`, or use `method: tpe`',
    });
  }
  const total = trials * runs.length;
  if (total > maxRuns) {
    error(
      ['trials'],
      'too-many-runs',
      `${trials} trials for each of the grid's ${runs.length} ${runs.length === 1 ? 'run' : 'runs'} make ${total} runs, more than the limit of ${maxRuns}`,
      `fewer trials, or raise the limit with --max-runs ${total} (or \`max_runs: ${total}\`)`,
    );
  }
  return findings;
}

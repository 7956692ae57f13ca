import {
  metricDirection,
  plannedTrials,
  searchSpace,
  type Configuration,
  type Dimension,
  type PrunerOptions,
  type SearchOptions,
  type Space,
} from '../search/index.ts';
import type { ExperimentFile, ParameterName } from './schema.ts';
import type { Settings } from './settings.ts';

/**
 * The `search:` section as the samplers take it, and the way a proposal becomes a run's settings:
 * the layer that overrides a grid cell's values (defaults < variant < grid < search < --set).
 */
export interface ExperimentSearch {
  space: Space;
  options: SearchOptions;
  metric: string;
  pruner: PrunerOptions | null;
}

/** The dimensions as written, in file order, each with the kind and range the file gives. */
export function searchDimensions(space: Record<string, unknown>): Dimension[] {
  return Object.entries(space).map(([name, entry]) => {
    const [kind, range] = Object.entries(entry as Record<string, unknown[]>)[0]!;
    if (kind === 'choice') return { name, kind, values: range };
    return { name, kind: kind as 'uniform' | 'log_uniform' | 'int_uniform', low: range[0] as number, high: range[1] as number };
  });
}

/**
 * The search of a validated experiment, or null when it has none. Throws RangeError for a space
 * the checks of check-search.ts refuse (a reversed range): run them first.
 */
export function experimentSearch(experiment: ExperimentFile): ExperimentSearch | null {
  const search = experiment.search;
  if (!search) return null;
  const metric = search.metric ?? 'validation_accuracy';
  const pruner = search.pruner
    ? { method: search.pruner.method, minEpochs: search.pruner.min_epochs ?? 1, maxEpochs: search.pruner.max_epochs, eta: search.pruner.eta ?? 3 }
    : null;
  const space = searchSpace(searchDimensions(search.space as Record<string, unknown>));
  return {
    space,
    // A discrete space smaller than `trials` is searched whole (check-search.ts warns).
    options: {
      method: search.method,
      trials: plannedTrials(space, search.trials).trials,
      batch: search.batch ?? 8,
      seed: search.seed ?? 0,
      direction: metricDirection(metric),
      pruner,
    },
    metric,
    pruner,
  };
}

/**
 * A proposal as a settings layer, each value placed at its space entry (so a problem it causes,
 * such as layers that do not fit the data, points there). With a pruner, `epochs` is its
 * max_epochs: a trial's run is its configuration trained to the last rung.
 */
export function proposalSettings(configuration: Configuration, pruner: PrunerOptions | null): Settings {
  const layer: Settings = new Map(
    Object.entries(configuration).map(([name, value]) => [
      name as ParameterName,
      { value, origin: { kind: 'file' as const, path: ['search', 'space', name] } },
    ]),
  );
  if (pruner) layer.set('epochs', { value: pruner.maxEpochs, origin: { kind: 'file', path: ['search', 'pruner', 'max_epochs'] } });
  return layer;
}

/**
 * Settings layers that let the expansion check a search's values against the data and each other
 * before any trial exists: `representative` puts every searched parameter at its first value (the
 * low bound, the first choice); each probe moves one parameter to another of its listed values or
 * bounds. Each value is placed at its node in the file, so a problem points at that value.
 */
export function searchLayers(experiment: ExperimentFile): { representative: Settings; probes: Settings[] } | null {
  const search = experiment.search;
  if (!search) return null;
  // A key the grid varies too is reported as a conflict; its grid values stay, or the cells would collapse.
  const grid = (experiment.grid ?? {}) as Record<string, unknown>;
  const varied = new Set([...Object.keys(grid), ...((grid.zip ?? []) as Record<string, unknown>[]).flatMap((g) => Object.keys(g))]);
  const dimensions = searchDimensions(search.space as Record<string, unknown>).filter((d) => !varied.has(d.name));
  const valuesOf = (d: Dimension): unknown[] => (d.kind === 'choice' ? [...d.values] : [d.low, d.high]);
  const setting = (d: Dimension, i: number) => ({ value: valuesOf(d)[i], origin: { kind: 'file' as const, path: ['search', 'space', d.name, d.kind, i] } });
  const representative: Settings = new Map(dimensions.map((d) => [d.name as ParameterName, setting(d, 0)]));
  if (search.pruner && !varied.has('epochs'))
    representative.set('epochs', { value: search.pruner.max_epochs, origin: { kind: 'file', path: ['search', 'pruner', 'max_epochs'] } });
  const probes = dimensions.flatMap((d) =>
    valuesOf(d)
      .slice(1)
      .map((_, j) => new Map([...representative, [d.name as ParameterName, setting(d, j + 1)]])),
  );
  return { representative, probes };
}

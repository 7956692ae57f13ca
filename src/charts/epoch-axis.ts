import type { VegaLiteSpec } from './spec.ts';

/**
 * Iterations on the bottom axis and epochs on the top one: the history is recorded by iteration
 * (what the report plotted), while a reader counts in epochs. The two scales are independent but
 * span the same width with the same end points, so an epoch tick sits over its iteration.
 */
export function iterationScale(lastIteration: number): VegaLiteSpec {
  return { domain: [0, lastIteration], nice: false, zero: true };
}

/**
 * An invisible layer that draws the epoch axis on top; `layer` specs that use it need
 * `resolve: { scale: { x: 'independent' } }`. Null when epochs are unknown.
 */
export function epochAxisLayer(lastIteration: number, iterationsPerEpoch: number | null): VegaLiteSpec | null {
  if (!iterationsPerEpoch || !(lastIteration > 0)) return null;
  const epochs = lastIteration / iterationsPerEpoch;
  return {
    data: { values: [{ epoch: 0 }, { epoch: epochs }] },
    mark: { type: 'tick', opacity: 0 },
    encoding: {
      x: {
        field: 'epoch',
        type: 'quantitative',
        scale: { domain: [0, epochs], nice: false, zero: true },
        axis: { orient: 'top', title: 'epoch', grid: false, tickMinStep: 1, format: 'd' },
      },
    },
  };
}

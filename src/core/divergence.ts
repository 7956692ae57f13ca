import type { Network } from './network.ts';

/**
 * A mini-batch cost this many times that of a uniform guess over the classes (ln 10 = 2.30 for
 * MNIST, about where every run starts) means the run has blown up: 1e19 at a learning rate of 1e6
 * counted as completed. The reference is fixed, not the run's own first cost, so that a run resumed
 * from a checkpoint decides exactly as it would have without the pause.
 */
export const DIVERGENCE_FACTOR = 100;

/** Why a cost means divergence (`became NaN`, `rose to 1.00e+19, ...`), or null when it does not. */
export function costDivergence(cost: number, classes: number): string | null {
  if (!Number.isFinite(cost)) return `became ${cost}`;
  const uniform = Math.log(Math.max(classes, 2));
  if (cost > DIVERGENCE_FACTOR * uniform) {
    return `rose to ${cost.toPrecision(3)}, more than ${DIVERGENCE_FACTOR}× the cost of a uniform guess (${uniform.toFixed(2)})`;
  }
  return null;
}

/** The first weight or bias array (`W2[5]`, `b1[0]`) holding a NaN or an infinity, or null. */
export function nonFiniteParameter(network: Network): string | null {
  for (const [l, layer] of network.layers.entries()) {
    for (const [name, values] of [
      [`W${l + 1}`, layer.W],
      [`b${l + 1}`, layer.b],
    ] as const) {
      for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return `${name}[${i}]`;
    }
  }
  return null;
}

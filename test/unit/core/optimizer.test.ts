import { describe, expect, it } from 'vitest';
import { referenceKernels as K } from '../../../src/core/kernels/reference.ts';
import { createOptimizer } from '../../../src/core/optimizer.ts';

/** Runs three steps with a constant gradient and returns the parameter after each. */
function trajectory(config: Parameters<typeof createOptimizer>[0], lr: number): number[] {
  const value = Float32Array.of(1);
  const gradient = Float32Array.of(0.5);
  const optimizer = createOptimizer(config, K, [{ value, gradient }]);
  return [1, 2, 3].map(() => {
    optimizer.step(lr);
    return value[0]!;
  });
}

describe('optimizers', () => {
  it('sgd: W ← W − η·dW', () => {
    const w = trajectory({ type: 'sgd' }, 0.1);
    [0.95, 0.9, 0.85].forEach((v, i) => expect(w[i]).toBeCloseTo(v, 6));
  });

  it('classical momentum accumulates velocity', () => {
    // v1 = −0.05, v2 = 0.9·v1 − 0.05 = −0.095, v3 = −0.1355
    const w = trajectory({ type: 'momentum', momentum: 0.9, nesterov: false }, 0.1);
    [0.95, 0.855, 0.7195].forEach((v, i) => expect(w[i]).toBeCloseTo(v, 6));
  });

  it('Nesterov momentum looks ahead', () => {
    // W += μ·v − η·g with v1 = −0.05, v2 = −0.095: steps of −0.095, then −0.1355.
    const w = trajectory({ type: 'momentum', momentum: 0.9, nesterov: true }, 0.1);
    expect(w[0]).toBeCloseTo(0.905, 6);
    expect(w[1]).toBeCloseTo(0.7695, 6);
  });

  it('Adam moves each step by about η with a constant gradient (bias-corrected)', () => {
    const w = trajectory({ type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, 0.01);
    [0.99, 0.98, 0.97].forEach((v, i) => expect(w[i]).toBeCloseTo(v, 5));
  });
});

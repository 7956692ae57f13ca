/**
 * The optimizer steps against an independent derivation, not against the reference loop itself:
 * closed forms for momentum and Nesterov with a constant gradient (several steps, vectors), and
 * Kingma & Ba's "efficient" form of Adam (step size α·√(1−β2ᵗ)/(1−β1ᵗ), ε̂ = ε·√(1−β2ᵗ)), which
 * reaches the same update by another algebra and pins down where ε enters.
 */
import { describe, expect, it } from 'vitest';
import { referenceKernels as K } from '../../../src/core/kernels/reference.ts';
import { createOptimizer, type Parameter } from '../../../src/core/optimizer.ts';

const W0 = [0.5, -1.25, 2, 0, 3e-3];
const G = [0.25, -0.5, 1.5, 1e-9, -2e-3];

/** Runs `steps` steps with the gradients gradients(t) (t from 1) and returns W after each step. */
function run(config: Parameters<typeof createOptimizer>[0], lr: number, steps: number, gradients: (t: number) => number[]): number[][] {
  const value = Float32Array.from(W0);
  const gradient = new Float32Array(W0.length);
  const optimizer = createOptimizer(config, K, [{ value, gradient } satisfies Parameter]);
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    gradient.set(gradients(t));
    optimizer.step(lr);
    out.push([...value]);
  }
  return out;
}

const close = (actual: number[], expected: number[], digits = 6) => actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, digits));

describe('momentum, closed form with a constant gradient', () => {
  const mu = 0.9;
  const lr = 0.1;
  /** v_t = −η·g·(1 − μᵗ)/(1 − μ); classical: W_t = W0 + Σ_{k≤t} v_k. */
  const velocity = (g: number, t: number) => (-lr * g * (1 - mu ** t)) / (1 - mu);
  const sumVelocities = (g: number, t: number) => ((-lr * g) / (1 - mu)) * (t - (mu * (1 - mu ** t)) / (1 - mu));

  it('classical: five steps, every element', () => {
    const w = run({ type: 'momentum', momentum: mu, nesterov: false }, lr, 5, () => G);
    for (let t = 1; t <= 5; t++)
      close(
        w[t - 1]!,
        W0.map((w0, i) => w0 + sumVelocities(G[i]!, t)),
      );
  });

  it('Nesterov: every step takes μ·v_t − η·g, later steps included', () => {
    const w = run({ type: 'momentum', momentum: mu, nesterov: true }, lr, 5, () => G);
    for (let t = 1; t <= 5; t++) {
      // W_t = W0 + Σ_{k≤t} (μ·v_k − η·g) = W0 + μ·Σv_k − t·η·g
      close(
        w[t - 1]!,
        W0.map((w0, i) => w0 + mu * sumVelocities(G[i]!, t) - t * lr * G[i]!),
      );
    }
    // Step 3 alone, from the velocity's closed form: it differs from classical momentum's v_3.
    const step3 = w[2]!.map((v, i) => v - w[1]![i]!);
    close(
      step3,
      G.map((g) => mu * velocity(g, 3) - lr * g),
    );
  });
});

describe("Adam, Kingma & Ba's efficient form", () => {
  const [b1, b2, eps, lr] = [0.9, 0.999, 1e-8, 0.01];
  /** Different gradients each step, so that the moments are not a constant's. */
  const gradients = (t: number) => G.map((g, i) => g * (1 + 0.3 * Math.sin(t + i)));

  function efficient(steps: number): number[][] {
    const theta = [...W0];
    const m = W0.map(() => 0);
    const v = W0.map(() => 0);
    const out: number[][] = [];
    for (let t = 1; t <= steps; t++) {
      const g = gradients(t);
      const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      const epsHat = eps * Math.sqrt(1 - b2 ** t);
      for (let i = 0; i < theta.length; i++) {
        m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
        v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
        theta[i] = theta[i]! - (alpha * m[i]!) / (Math.sqrt(v[i]!) + epsHat);
      }
      out.push([...theta]);
    }
    return out;
  }

  it('matches over ten steps, every element', () => {
    const w = run({ type: 'adam', beta1: b1, beta2: b2, epsilon: eps }, lr, 10, gradients);
    efficient(10).forEach((expected, t) => close(w[t]!, expected, 5));
  });

  it('adds ε to √v̂, outside the root: a gradient of 1e-9 moves by η·g/(|g| + ε), about η/11', () => {
    const w = run({ type: 'adam', beta1: b1, beta2: b2, epsilon: eps }, lr, 1, () => G);
    // Element 3 starts at 0 with g = 1e-9: m̂ = g, √v̂ = |g|, so the step is η·1e-9/(1e-9 + 1e-8).
    expect(w[0]![3]).toBeCloseTo(-lr / 11, 7);
    // ε inside the root (√(v̂ + ε)) would give η·1e-9/√(1e-18 + 1e-8) ≈ 1e-6·η: far from η/11.
  });
});

describe('weight decay', () => {
  const lambda = 0.05;
  const lr = 0.1;
  /** One weight tensor (decays) and one bias tensor (does not), stepped `steps` times with gradients G. */
  function decayed(config: Parameters<typeof createOptimizer>[0], steps: number): { w: number[]; b: number[] } {
    const weight = { value: Float32Array.from(W0), gradient: new Float32Array(W0.length), decays: true };
    const bias = { value: Float32Array.from(W0), gradient: new Float32Array(W0.length) };
    const optimizer = createOptimizer(config, K, [weight, bias], lambda);
    for (let t = 1; t <= steps; t++) {
      weight.gradient.set(G);
      bias.gradient.set(G);
      optimizer.step(lr);
    }
    return { w: [...weight.value], b: [...bias.value] };
  }
  const plain = (config: Parameters<typeof createOptimizer>[0], steps: number) => run(config, lr, steps, () => G)[steps - 1]!;

  it('sgd, coupled: W_t = (1 − ηλ)·W_{t−1} − η·g, closed form over four steps; biases as without decay', () => {
    const { w, b } = decayed({ type: 'sgd' }, 4);
    const q = 1 - lr * lambda;
    // W_t = qᵗ·W0 − η·g·(1 − qᵗ)/(1 − q)
    close(
      w,
      W0.map((w0, i) => q ** 4 * w0 - (lr * G[i]! * (1 - q ** 4)) / (1 - q)),
    );
    close(b, plain({ type: 'sgd' }, 4));
  });

  it('momentum, coupled: the velocity takes g + λ·W', () => {
    const mu = 0.9;
    const { w, b } = decayed({ type: 'momentum', momentum: mu, nesterov: false }, 3);
    const theta = [...W0];
    const v = W0.map(() => 0);
    for (let t = 1; t <= 3; t++) {
      for (let i = 0; i < theta.length; i++) {
        v[i] = mu * v[i]! - lr * (G[i]! + lambda * theta[i]!);
        theta[i] = theta[i]! + v[i]!;
      }
    }
    close(w, theta);
    close(b, plain({ type: 'momentum', momentum: mu, nesterov: false }, 3));
  });

  it('adam, decoupled (AdamW): W_t = W_{t−1} − η·(m̂/(√v̂ + ε) + λ·W_{t−1}), not an L2 gradient through the moments', () => {
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    const adam = { type: 'adam', beta1: b1, beta2: b2, epsilon: eps } as const;
    const { w, b } = decayed(adam, 5);
    const theta = [...W0];
    const m = W0.map(() => 0);
    const s = W0.map(() => 0);
    for (let t = 1; t <= 5; t++) {
      for (let i = 0; i < theta.length; i++) {
        const g = G[i]!;
        m[i] = b1 * m[i]! + (1 - b1) * g;
        s[i] = b2 * s[i]! + (1 - b2) * g * g;
        const step = m[i]! / (1 - b1 ** t) / (Math.sqrt(s[i]! / (1 - b2 ** t)) + eps);
        theta[i] = theta[i]! - lr * (step + lambda * theta[i]!);
      }
    }
    close(w, theta, 5);
    close(b, plain(adam, 5), 5);
    // Coupled L2 would put λ·W into the moments, where Adam's normalisation all but cancels it with a
    // constant gradient (m̂/√v̂ ≈ 1 either way); decoupled, element 0 (W = 0.5, then ≈ 0.4, 0.3, 0.2,
    // 0.1 as each step takes ≈ η) loses ≈ η·λ·Σ W_{t−1} more than without decay.
    expect(plain(adam, 5)[0]! - w[0]!).toBeCloseTo(lr * lambda * (0.5 + 0.4 + 0.3 + 0.2 + 0.1), 3);
  });
});

/**
 * Central-difference gradient checks. The analytic gradients come from the float32 core; the
 * numerical ones from an independent float64 forward pass written here, with step h = 1e-5.
 * Bound: relative error ‖analytic − numerical‖ / (‖analytic‖ + ‖numerical‖) < 1e-4. Float32
 * rounding of the analytic side is ~1e-6 relative and the O(h²) truncation ~1e-10, so a wrong
 * derivative (typically error > 1e-1) cannot pass while a correct one has ample margin.
 */
import { describe, expect, it } from 'vitest';
import type { HiddenActivation } from '../../../src/core/kernels/kernels.ts';
import { ACTIVATIONS, referenceKernels as K } from '../../../src/core/kernels/reference.ts';
import { DenseLayer } from '../../../src/core/dense.ts';
import { Network } from '../../../src/core/network.ts';
import { addWeightDecay } from '../../../src/core/optimizer.ts';
import { Rng } from '../../../src/core/rng.ts';
import { randomArray, relativeError } from '../../support/random.ts';

const H = 1e-5;
const BOUND = 1e-4;
const HIDDEN: HiddenActivation[] = ['relu', 'sigmoid', 'tanh'];

function numericalGradient(f: (x: Float64Array) => number, x: Float64Array, indices: number[]): number[] {
  return indices.map((i) => {
    const saved = x[i]!;
    x[i] = saved + H;
    const plus = f(x);
    x[i] = saved - H;
    const minus = f(x);
    x[i] = saved;
    return (plus - minus) / (2 * H);
  });
}

/** Mean softmax cross-entropy in float64. */
function meanCrossEntropy64(Z: ArrayLike<number>, labels: Uint8Array, rows: number, cols: number): number {
  let total = 0;
  for (let i = 0; i < rows; i++) {
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, Z[i * cols + j]!);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(Z[i * cols + j]! - max);
    total += Math.log(sum) + max - Z[i * cols + labels[i]!]!;
  }
  return total / rows;
}

/** g(X·W + b) in float64; W: nIn × nOut. */
function dense64(
  X: ArrayLike<number>,
  W: ArrayLike<number>,
  b: ArrayLike<number>,
  rows: number,
  nIn: number,
  nOut: number,
  g: ((z: number) => number) | null,
): Float64Array {
  const out = new Float64Array(rows * nOut);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < nOut; j++) {
      let s = b[j]!;
      for (let p = 0; p < nIn; p++) s += X[i * nIn + p]! * W[p * nOut + j]!;
      out[i * nOut + j] = g ? g(s) : s;
    }
  }
  return out;
}

function weightedSum(a: ArrayLike<number>, w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * w[i]!;
  return s;
}

function sampleIndices(length: number, count: number, seed: number): number[] {
  const rng = Rng.fromSeed(seed);
  return Array.from({ length: Math.min(count, length) }, () => rng.int(length));
}

describe('gradient checks (central differences, float64 reference)', () => {
  it.each(HIDDEN)('activationBackward gives the derivative of %s', (activation) => {
    const n = 64;
    // Keep relu's inputs away from its kink at 0, where the derivative is undefined.
    const z = Float64Array.from(randomArray(n, 3, -3, 3), (v) => (Math.abs(v) < 0.01 ? v + 0.1 : v));
    const upstream = randomArray(n, 4);
    const A = Float32Array.from(z, ACTIVATIONS[activation]);
    const dZ = upstream.slice();
    K.activationBackward(n, dZ, A, activation);
    const f = (x: Float64Array) => weightedSum(Array.from(x, ACTIVATIONS[activation]), upstream);
    const all = Array.from({ length: n }, (_, i) => i);
    expect(relativeError(dZ, numericalGradient(f, z, all))).toBeLessThan(BOUND);
  });

  it('softmaxCrossEntropy gives the gradient of the mean cross-entropy', () => {
    const rows = 7;
    const cols = 10;
    const Z = randomArray(rows * cols, 5, -4, 4);
    const labels = Uint8Array.from({ length: rows }, (_, i) => (i * 3) % cols);
    const dZ = new Float32Array(rows * cols);
    const lossSum = K.softmaxCrossEntropy(rows, cols, Z, labels, dZ);
    const z64 = Float64Array.from(Z);
    expect(lossSum / rows).toBeCloseTo(meanCrossEntropy64(z64, labels, rows, cols), 10);
    const f = (x: Float64Array) => meanCrossEntropy64(x, labels, rows, cols);
    const all = Array.from({ length: rows * cols }, (_, i) => i);
    expect(relativeError(dZ, numericalGradient(f, z64, all))).toBeLessThan(BOUND);
  });

  it.each(HIDDEN)('a dense %s layer gives dW, db and dX', (activation) => {
    const [rows, nIn, nOut] = [5, 13, 7];
    const layer = new DenseLayer(K, nIn, nOut, activation, rows);
    layer.W.set(randomArray(nIn * nOut, 6));
    layer.b.set(randomArray(nOut, 7));
    const X = randomArray(rows * nIn, 8);
    const upstream = randomArray(rows * nOut, 9);
    layer.forward(X, rows);
    layer.dA.set(upstream);
    const dX = new Float32Array(rows * nIn);
    layer.backward(X, rows, dX);
    const g = ACTIVATIONS[activation];
    const W64 = Float64Array.from(layer.W);
    const b64 = Float64Array.from(layer.b);
    const X64 = Float64Array.from(X);
    const loss = () => weightedSum(dense64(X64, W64, b64, rows, nIn, nOut, g), upstream);
    const all = (n: number) => Array.from({ length: n }, (_, i) => i);
    expect(relativeError(layer.dW, numericalGradient(loss, W64, all(nIn * nOut)))).toBeLessThan(BOUND);
    expect(relativeError(layer.db, numericalGradient(loss, b64, all(nOut)))).toBeLessThan(BOUND);
    expect(relativeError(dX, numericalGradient(loss, X64, all(rows * nIn)))).toBeLessThan(BOUND);
  });

  it.each(HIDDEN)('a whole [784, 32, 16, 10] network with %s hidden layers', (activation) => {
    const layers = [784, 32, 16, 10];
    const rows = 4;
    const net = new Network(K, { layers, activations: [activation, activation, 'softmax'] }, rows);
    const rng = Rng.fromSeed(11);
    net.initialize({ scheme: 'xavier', std: 0 }, rng, 11);
    for (const layer of net.layers) layer.b.set(randomArray(layer.nOut, 12, -0.1, 0.1));
    const X = randomArray(rows * 784, 13, 0, 1);
    const labels = Uint8Array.of(3, 1, 4, 1);
    net.computeGradients(X, labels, rows);

    const params = net.layers.flatMap((l) => [Float64Array.from(l.W), Float64Array.from(l.b)]);
    const loss = () => {
      let A: ArrayLike<number> = X;
      net.layers.forEach((l, i) => {
        const g = l.activation === 'softmax' ? null : ACTIVATIONS[l.activation];
        A = dense64(A, params[2 * i]!, params[2 * i + 1]!, rows, l.nIn, l.nOut, g);
      });
      return meanCrossEntropy64(A, labels, rows, 10);
    };
    net.layers.forEach((l, i) => {
      for (const [analytic, p] of [
        [l.dW, 2 * i],
        [l.db, 2 * i + 1],
      ] as const) {
        const indices = sampleIndices(analytic.length, 40, 100 + p);
        const numerical = numericalGradient(loss, params[p]!, indices);
        const picked = indices.map((j) => analytic[j]!);
        expect(relativeError(picked, numerical), `layer ${i} ${p % 2 ? 'b' : 'W'}`).toBeLessThan(BOUND);
      }
    });
  });
  /** A [784, 32, 16, 10] network with random weights and biases, and a batch of `rows` images. */
  function smallNetwork(activation: HiddenActivation, rows: number) {
    const layers = [784, 32, 16, 10];
    const net = new Network(K, { layers, activations: [activation, activation, 'softmax'] }, rows);
    net.initialize({ scheme: 'xavier', std: 0 }, Rng.fromSeed(21), 21);
    for (const layer of net.layers) layer.b.set(randomArray(layer.nOut, 22, -0.1, 0.1));
    const X = randomArray(rows * 784, 23, 0, 1);
    const labels = Uint8Array.of(7, 2, 0, 9).subarray(0, rows);
    const params = net.layers.flatMap((l) => [Float64Array.from(l.W), Float64Array.from(l.b)]);
    /** The float64 mean loss with each hidden output multiplied by its mask (none: no dropout). */
    const loss = (masks: readonly (Float32Array | null)[] = []) => {
      let A: ArrayLike<number> = X;
      net.layers.forEach((l, i) => {
        const g = l.activation === 'softmax' ? null : ACTIVATIONS[l.activation];
        const out = dense64(A, params[2 * i]!, params[2 * i + 1]!, rows, l.nIn, l.nOut, g);
        const mask = masks[i];
        if (mask) for (let j = 0; j < out.length; j++) out[j] = out[j]! * mask[j]!;
        A = out;
      });
      return meanCrossEntropy64(A, labels, rows, 10);
    };
    const check = (f: () => number, label: string) => {
      net.layers.forEach((l, i) => {
        for (const [analytic, p] of [
          [l.dW, 2 * i],
          [l.db, 2 * i + 1],
        ] as const) {
          const indices = sampleIndices(analytic.length, 40, 200 + p);
          const numerical = numericalGradient(f, params[p]!, indices);
          const picked = indices.map((j) => analytic[j]!);
          expect(relativeError(picked, numerical), `${label}: layer ${i} ${p % 2 ? 'b' : 'W'}`).toBeLessThan(BOUND);
        }
      });
    };
    return { net, X, labels, params, loss, check };
  }

  // sigmoid and tanh are the cases where the backward pass must use the activation before the mask
  // (their derivative is written in terms of it); relu would hide that mistake.
  it.each(HIDDEN)('a network with dropout on both %s hidden layers, under a fixed mask', (activation) => {
    const rows = 4;
    const { net, X, labels, loss, check } = smallNetwork(activation, rows);
    // Inverted dropout's masks: 0 (dropped) or 1/(1 − p), p = 0.5 on the first layer, 0.25 on the second.
    const masks = net.layers.map((l, i) =>
      i === 2 ? null : Float32Array.from(randomArray(rows * l.nOut, 30 + i, 0, 1), (u) => (u < (i === 0 ? 0.5 : 0.25) ? 0 : i === 0 ? 2 : 1 / 0.75)),
    );
    net.computeGradients(X, labels, rows, masks);
    check(() => loss(masks), 'dropout');
    // The masks matter: without them the gradient is another one.
    const withoutMasks = net.layers[0]!.dW.slice();
    net.computeGradients(X, labels, rows);
    expect(relativeError(withoutMasks, net.layers[0]!.dW)).toBeGreaterThan(1e-2);
  });

  it('weight decay: addWeightDecay makes dW the gradient of the loss plus (λ/2)·Σ W², and leaves db alone', () => {
    const rows = 4;
    const lambda = 0.3;
    const { net, X, labels, params, loss, check } = smallNetwork('tanh', rows);
    net.computeGradients(X, labels, rows);
    addWeightDecay(
      K,
      net.layers.flatMap((l) => [
        { value: l.W, gradient: l.dW, decays: true },
        { value: l.b, gradient: l.db },
      ]),
      lambda,
    );
    const penalty = () => params.filter((_, p) => p % 2 === 0).reduce((sum, W) => sum + W.reduce((s, w) => s + w * w, 0), 0);
    check(() => loss() + (lambda / 2) * penalty(), 'weight decay');
  });
});

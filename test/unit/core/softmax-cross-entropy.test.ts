import { describe, expect, it } from 'vitest';
import { referenceKernels as K } from '../../../src/core/kernels/reference.ts';
import { Network } from '../../../src/core/network.ts';
import { Rng } from '../../../src/core/rng.ts';
import { randomArray, relativeError } from '../../support/random.ts';

describe('softmax with cross-entropy', () => {
  it('stays finite for logits of ±1000', () => {
    const Z = Float32Array.of(1000, -1000, 0, -1000, 1000, 1000);
    const dZ = new Float32Array(6);
    const loss = K.softmaxCrossEntropy(2, 3, Z, Uint8Array.of(1, 1), dZ);
    // Row 1: the label's logit is 2000 below the max, so its loss is 2000. Row 2: a tie, ln 2.
    expect(loss).toBeCloseTo(2000 + Math.LN2, 6);
    expect(dZ.every(Number.isFinite)).toBe(true);
    expect([...dZ].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.5, -0.5, 0, 0, -0.25, 0.25]);
  });

  it('matches the report cost −ln(p + 1e-10) on ordinary inputs to float32 precision', () => {
    const rows = 30;
    const Z = randomArray(rows * 10, 21, -5, 5);
    const labels = Uint8Array.from({ length: rows }, (_, i) => i % 10);
    let report = 0;
    for (let i = 0; i < rows; i++) {
      const row = Z.subarray(i * 10, i * 10 + 10);
      const max = Math.max(...row);
      const exps = Array.from(row, (z) => Math.fround(Math.exp(z - max)));
      const p = exps[labels[i]!]! / exps.reduce((a, b) => a + b, 0);
      report -= Math.log(p + 1e-10);
    }
    const ours = K.softmaxCrossEntropy(rows, 10, Z, labels, null);
    expect(Math.abs(ours - report) / report).toBeLessThan(1e-6);
  });

  it('handles a batch of one', () => {
    const dZ = new Float32Array(3);
    const loss = K.softmaxCrossEntropy(1, 3, Float32Array.of(0, 0, 0), Uint8Array.of(2), dZ);
    expect(loss).toBeCloseTo(Math.log(3), 6);
    expect(dZ[2]).toBeCloseTo(1 / 3 - 1, 6);
  });

  it('gives a remainder batch the gradient of its own mean, unaffected by stale rows', () => {
    const model = { layers: [6, 5, 3], activations: ['tanh', 'softmax'] as const };
    const net = new Network(K, model, 8);
    net.initialize({ scheme: 'xavier', std: 0 }, Rng.fromSeed(1), 1);
    // Fill the full batch first so that the buffers hold stale rows beyond the remainder.
    net.computeGradients(randomArray(8 * 6, 2), Uint8Array.of(0, 1, 2, 0, 1, 2, 0, 1), 8);
    const X = randomArray(3 * 6, 3);
    const labels = Uint8Array.of(2, 0, 1);
    net.computeGradients(X, labels, 3);
    const remainder = net.layers.map((l) => l.dW.slice());

    // The same rows, one at a time, averaged.
    const single = new Network(K, model, 1);
    single.layers.forEach((l, i) => {
      l.W.set(net.layers[i]!.W);
      l.b.set(net.layers[i]!.b);
    });
    const mean = remainder.map((g) => new Float64Array(g.length));
    for (let r = 0; r < 3; r++) {
      single.computeGradients(X.subarray(r * 6, r * 6 + 6), labels.subarray(r, r + 1), 1);
      single.layers.forEach((l, i) =>
        l.dW.forEach((v, j) => {
          mean[i]![j]! += v / 3;
        }),
      );
    }
    remainder.forEach((g, i) => expect(relativeError(g, mean[i]!)).toBeLessThan(1e-6));
  });
});

/**
 * Model 2 of the report ([784, 128, 64, 10], relu, relu, softmax) trained for one epoch on a
 * subset of the bundled MNIST with every backend in the same run.
 *
 * - Each backend alone is bit-deterministic: the same seed twice gives identical weights and
 *   history (no threads, fixed summation order).
 * - Across backends the float32 summation order differs (see test/unit/kernels/kernels.test.ts), so the
 *   weights drift apart by rounding and the test accuracies may differ by a few images: they must
 *   agree with the js reference within 1.0 percentage point (10 of the 1,000 test images), and the
 *   final training costs within 2% relative.
 */
import { describe, expect } from 'vitest';
import type { TrainConfig } from '../../../src/core/config.ts';
import { train, type TrainResult } from '../../../src/core/train.ts';
import { loadDataset } from '../../../src/data/load.ts';
import { backendCases, itFor } from '../kernels/backends.ts';

const MODEL_2: TrainConfig = {
  layers: [784, 128, 64, 10],
  activations: ['relu', 'relu', 'softmax'],
  epochs: 1,
  batchSize: 30,
  learningRate: 0.1,
  optimizer: { type: 'sgd' },
  init: { scheme: 'he', std: 0.1 },
  shuffle: 'once',
  historyEvery: 'epoch',
  evalLimit: null,
  seed: 42,
};
const ACCURACY_TOLERANCE = 1.0; // percentage points
const COST_TOLERANCE = 0.02; // relative

// 2,000 training images: 67 batches, the last a remainder batch of 20 rows.
const data = loadDataset({ files: 'mnist', trainLimit: 2000, testLimit: 1000, validation: 0 });
const cases = await backendCases();
const results = new Map<string, TrainResult>();

function run(label: string): TrainResult {
  const c = cases.find((x) => x.label === label)!;
  const result = train(MODEL_2, data, c.kernels!);
  expect(result.status).toBe('completed');
  return result;
}

describe.each(cases)('model 2, one epoch on $label', (c) => {
  const test = itFor(c);

  test('learns, and is bit-deterministic for a fixed seed', () => {
    const a = run(c.label);
    const b = run(c.label);
    expect(a.final.testAccuracy).toBeGreaterThan(70);
    expect(b.final).toEqual(a.final);
    a.network.layers.forEach((layer, l) => {
      expect(
        Buffer.from(b.network.layers[l]!.W.buffer, b.network.layers[l]!.W.byteOffset, layer.W.byteLength).equals(
          Buffer.from(layer.W.buffer, layer.W.byteOffset, layer.W.byteLength),
        ),
      ).toBe(true);
    });
    results.set(c.label, a);
  });

  test(`reaches the js reference's test accuracy within ${ACCURACY_TOLERANCE} point`, () => {
    const reference = results.get('js') ?? run('js');
    const mine = results.get(c.label) ?? run(c.label);
    expect(Math.abs(mine.final.testAccuracy - reference.final.testAccuracy)).toBeLessThanOrEqual(ACCURACY_TOLERANCE);
    expect(Math.abs(mine.final.trainCost / reference.final.trainCost - 1)).toBeLessThanOrEqual(COST_TOLERANCE);
    console.log(
      `${c.label}: test accuracy ${mine.final.testAccuracy.toFixed(1)}% (js ${reference.final.testAccuracy.toFixed(1)}%), train cost ${mine.final.trainCost.toFixed(5)} (js ${reference.final.trainCost.toFixed(5)})`,
    );
  });
});

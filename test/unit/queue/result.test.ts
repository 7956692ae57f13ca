/** A run's outcome crosses Redis as JSON and comes back bit for bit, NaN costs and weights included. */
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../../src/experiment/index.ts';
import { decodeResult, encodeResult, fromJson, toJson } from '../../../src/queue/result.ts';
import type { RunOutcome } from '../../../src/run/messages.ts';

const config = loadExperiment('experiments/report.yaml').runs[0]!.config; // [784, 10]

function outcome(): RunOutcome {
  const W = new Float32Array(784 * 10).map((_, i) => Math.sin(i) * 1e-3);
  const b = new Float32Array(10).map((_, i) => -i / 3);
  return {
    status: 'diverged',
    message: 'the training cost became NaN at iteration 2 (epoch 1)',
    history: [
      {
        iteration: 2,
        epoch: 1,
        trainCost: NaN,
        trainAccuracy: 10.5,
        testCost: Infinity,
        testAccuracy: 9.8,
        validationCost: null,
        validationAccuracy: -Infinity,
        learningRate: 0.01,
        seconds: 0.25,
      },
    ],
    final: { trainCost: NaN, trainAccuracy: 11.2, testCost: NaN, testAccuracy: 10.1, validationCost: null, validationAccuracy: null },
    iterations: 2,
    totalIterations: 40,
    epoch: 1,
    seconds: 0.3,
    backend: 'native',
    backendNote: null,
    best: { epoch: 1, iteration: 2, value: NaN },
    resumedFrom: 1,
    checkpointNote: 'its checkpoint was computed with wasm kernels, these are native; started over so that the result stays bit-identical',
    checkpointed: false,
    checkpointSeconds: 0.01,
    checkpoints: 1,
    weights: [
      { name: 'W1', shape: [784, 10], data: W },
      { name: 'b1', shape: [10], data: b },
    ],
  };
}

describe('queue results', () => {
  it('round-trip through JSON text exactly', () => {
    const original = outcome();
    const text = JSON.stringify(encodeResult(original, 'w1'));
    const { outcome: back, worker } = decodeResult(JSON.parse(text), config);
    expect(worker).toBe('w1');
    expect(back).toEqual(original);
    expect(Object.is(back.final.trainCost, NaN)).toBe(true);
    expect(back.weights[0]!.data).toBeInstanceOf(Float32Array);
  });

  it.each([1e-310, -0.1, 5e-324, 1.7976931348623157e308, 0.1 + 0.2])('keeps %s', (x) => {
    expect(fromJson(JSON.parse(JSON.stringify(toJson({ x }))))).toEqual({ x });
  });

  it.each<[string, (r: any) => void, RegExp]>([
    [
      'weights of other layers',
      (r) => {
        r.outcome.weights[0].shape = [10, 784];
      },
      /tensor W1 \[10, 784\] does not fit layers \[784, 10\]/,
    ],
    [
      'missing bytes',
      (r) => {
        r.outcome.weights[1].float32 = 'AAAA';
      },
      /tensor b1/,
    ],
    [
      'a missing tensor',
      (r) => {
        r.outcome.weights.pop();
      },
      /1 tensors for layers/,
    ],
    [
      'an unknown status',
      (r) => {
        r.outcome.status = 'great';
      },
      /malformed result from the queue: \/outcome\/status/,
    ],
    [
      'another format',
      (r) => {
        r.format = 'x';
      },
      /malformed result/,
    ],
  ])('rejects %s', (_name, spoil, message) => {
    const encoded = JSON.parse(JSON.stringify(encodeResult(outcome(), 'w1')));
    spoil(encoded);
    expect(() => decodeResult(encoded, config)).toThrow(message);
  });
});

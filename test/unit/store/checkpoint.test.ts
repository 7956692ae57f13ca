import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrainState } from '../../../src/core/train.ts';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../../../src/store/checkpoint.ts';
import { readCheckpointFile, writeCheckpointFile } from '../../../src/store/checkpoint-files.ts';
import { workspace } from '../../support/workspace.ts';

const state: TrainState = {
  iteration: 7,
  epoch: 2,
  position: 40,
  order: new Uint32Array([3, 1, 2, 0]),
  shuffleRng: [1, -2, 3, 4],
  dropoutRng: [5, 6, -7, 8],
  parameters: [new Float32Array([0.5, -0.25, Math.fround(1e-40)]), new Float32Array([1])],
  optimizer: { steps: 7, buffers: [new Float32Array([2, 3, 4]), new Float32Array([5])] },
  history: [
    {
      iteration: 5,
      epoch: 1,
      trainCost: NaN,
      trainAccuracy: 10,
      testCost: Infinity,
      testAccuracy: -0,
      validationCost: null,
      validationAccuracy: null,
      learningRate: 0.005,
      seconds: 0.1,
    },
  ],
  costSum: 0.1 + 0.2,
  costCount: 2,
  seconds: 1.5,
  earlyStopping: { bestValue: 0.3, bestEpoch: 1, bestIteration: 5, bestParameters: [new Float32Array([9, 9, 9]), new Float32Array([8])], waited: 1 },
};
const origin = { runId: 'abc', mlpLabVersion: '0.1.0+123', kernels: 'native avx512f (V8 11)' };
const checkpoint: Checkpoint = { origin, writtenAt: '2026-11-27T00:00:00Z', state };

describe('checkpoint bytes', () => {
  it('round-trip every value exactly: NaN, ±Infinity, -0, subnormal floats, 64-bit sums', () => {
    const back = decodeCheckpoint(encodeCheckpoint(checkpoint));
    expect(back).toEqual(checkpoint);
    expect(Object.is(back.state.history[0]!.testAccuracy, -0)).toBe(true);
    expect(back.state.costSum).toBe(0.1 + 0.2);
  });

  it('read a checkpoint written before dropout (no dropout generator in its header) as having none', () => {
    const { dropoutRng: _, ...before } = state;
    const back = decodeCheckpoint(encodeCheckpoint({ ...checkpoint, state: before as TrainState }));
    expect(back.state.dropoutRng).toBeNull();
    expect(back.state.shuffleRng).toEqual(state.shuffleRng);
  });

  it('detect a truncated or altered file', () => {
    const bytes = encodeCheckpoint(checkpoint);
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 5))).toThrow(CheckpointError);
    const altered = bytes.slice();
    altered[bytes.length - 40]! ^= 1;
    expect(() => decodeCheckpoint(altered)).toThrow(/damaged/);
    expect(() => decodeCheckpoint(new TextEncoder().encode('hello world, not a checkpoint at all'))).toThrow(/not an mlp-lab checkpoint/);
  });
});

describe('checkpoint files', () => {
  const file = path.join(workspace('ckpt').dir, 'abc.ckpt');
  writeCheckpointFile(file, checkpoint);

  it('are used by the same run, code and kernels', () => {
    expect(readCheckpointFile(file, origin)).toEqual({ checkpoint });
  });

  it.each([
    ['another run', { ...origin, runId: 'def' }, /belongs to run abc/],
    [
      'another mlp-lab version',
      { ...origin, mlpLabVersion: '0.2.0+456' },
      /written by mlp-lab 0\.1\.0\+123, this is 0\.2\.0\+456; started over so that the result stays bit-identical/,
    ],
    ['other kernels', { ...origin, kernels: 'wasm relaxed-simd (V8 11)' }, /computed with native avx512f \(V8 11\) kernels, these are wasm/],
  ])('are ignored, with a note, by %s', (_, expected, note) => {
    const read = readCheckpointFile(file, expected);
    expect(read).toMatchObject({ ignored: expect.stringMatching(note) });
  });

  it('are ignored when damaged, and absent ones are null', () => {
    const damaged = `${file}.damaged`;
    writeFileSync(damaged, readFileSync(file).subarray(0, 100));
    expect(readCheckpointFile(damaged, origin)).toMatchObject({ ignored: expect.stringMatching(/unusable/) });
    expect(readCheckpointFile(`${file}.none`, origin)).toBeNull();
  });
});

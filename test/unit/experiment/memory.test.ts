import { describe, expect, it } from 'vitest';
import { checkJobsMemory } from '../../../src/run/jobs-memory.ts';
import { UserError } from '../../../src/errors.ts';
import { expandExperiment, MNIST_INFO, type ExperimentFile } from '../../../src/experiment/index.ts';
import { estimateMemory } from '../../../src/experiment/memory.ts';
import { formatBytes } from '../../../src/experiment/format-bytes.ts';
import type { ExperimentRuns } from '../../../src/run/run-listener.ts';

const GB = 1e9;
const expand = (layers: number[], extra: object = {}, memoryLimit = 16 * GB) =>
  expandExperiment({ experiment: { name: 'm', defaults: { layers, ...extra } } as ExperimentFile, dataset: MNIST_INFO, memoryLimit });

describe('memory of a run', () => {
  it('counts weights, gradients, optimizer state and batch buffers (report relu model: 2.5 MB)', () => {
    const [run] = expand([784, 128, 64, 10]).runs;
    const parameters = 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10;
    const rows = 256; // batch 32 < the evaluation chunk of 256 rows
    expect(run!.work.bytes).toBe(4 * (3 * parameters + 2 * rows * (128 + 64 + 10) + rows * 784));
    expect(formatBytes(run!.work.bytes)).toBe('2.53 MB');
    const adam = expand([784, 128, 64, 10], { optimizer: 'adam' }).runs[0]!;
    expect(adam.work.bytes - run!.work.bytes).toBe(4 * 2 * parameters);
    // Dropout on the first hidden layer only: its mask and masked output, a batch of each.
    const dropout = expand([784, 128, 64, 10], { dropout: [0.5, 0] }).runs[0]!;
    expect(dropout.work.bytes - run!.work.bytes).toBe(4 * 2 * rows * 128);
  });

  it('sizes batch buffers by the training set when batch_size is larger', () => {
    const huge = expand([784, 10], { batch_size: 100_000_000 }).runs[0]!;
    expect(estimateMemory(huge.config, MNIST_INFO).bytes).toBeLessThan(60_000 * 784 * 4 * 2);
  });

  it.each([
    ['[784, 2000000000, 10]: past the typed-array limit', [784, 2_000_000_000, 10], /needs 1,568,000,000,000 values in one array; the most is 4,294,967,296/],
    ['[784, 10000000, 10]: "Invalid typed array length" at run time before', [784, 10_000_000, 10], /needs 7,840,000,000 values in one array/],
    ['[784, 2000000, 10]: 23 GB, more than the machine', [784, 2_000_000, 10], /needs about 23\.2 GB of memory; this machine has 16\.0 GB/],
  ])('refuses %s at validation', (_, layers, message) => {
    const { runs, findings } = expand(layers);
    expect(runs).toEqual([]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ code: 'too-large', severity: 'error', origin: { kind: 'file', path: ['defaults', 'layers'] } });
    expect(findings[0]!.message).toMatch(message);
  });
});

describe("--jobs against the machine's memory", () => {
  const experiment = (sizes: number[]) => ({ selected: sizes.map((bytes) => ({ work: { bytes } })) }) as unknown as ExperimentRuns;

  it('accepts jobs whose largest runs fit together', () => {
    expect(() => checkJobsMemory([experiment([6 * GB, 6 * GB, 1 * GB])], 2, 16 * GB)).not.toThrow();
  });

  it('refuses more jobs than fit, saying how many do', () => {
    try {
      checkJobsMemory([experiment([6 * GB, 6 * GB, 6 * GB, 1 * GB])], 4, 16 * GB);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      const [p] = (error as UserError).problems;
      expect(p).toMatchObject({
        code: 'too-large',
        file: '--jobs',
        message: '4 runs at once need about 19.0 GB of memory; this machine has 16.0 GB',
        hint: 'use --jobs 2',
      });
    }
  });
});

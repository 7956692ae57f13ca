/**
 * A pruned search's trial on the queue: a job per rung (its id names the rung), answered with the
 * metrics and the checkpoint there; the checkpoint is kept only if it is the run's state at the
 * rung's end, so that a stale or misfiled result cannot stand for another rung.
 */
import { describe, expect, it } from 'vitest';
import type { TrainState } from '../../../src/core/train.ts';
import { loadExperiment, type ResolvedRun } from '../../../src/experiment/index.ts';
import { acceptJob, JobRefused } from '../../../src/queue/accept.ts';
import { checkRungCheckpoint } from '../../../src/queue/checkpoints.ts';
import { buildJob, jobId } from '../../../src/queue/payload.ts';
import { decodeResult, encodeResult } from '../../../src/queue/result.ts';
import type { RunOutcome } from '../../../src/run/messages.ts';
import { encodeCheckpoint } from '../../../src/store/checkpoint.ts';

const env = { dataDir: '.' };
// report.yaml's first run ([784, 10]) at 3 epochs, as a trial of a pruned search trained to epoch `until`.
const base = loadExperiment('experiments/report.yaml', { sets: ['epochs=3'] }).runs[0]!;
const trial = (until: number | null): ResolvedRun => ({ ...base, rung: { untilEpoch: until } });

/** A state at the end of epoch `epoch` (the next one's start) of 10 iterations each, or in the middle of it. */
function state(epoch: number, position = 0): TrainState {
  return {
    iteration: epoch * 10 + (position > 0 ? 5 : 0),
    epoch: epoch + 1,
    position,
    order: new Uint32Array([1, 0]),
    shuffleRng: [1, 2, 3, 4],
    dropoutRng: null,
    parameters: [new Float32Array([0.5, -0.25])],
    optimizer: { steps: epoch * 10, buffers: [] },
    history: [],
    costSum: 0,
    costCount: 0,
    seconds: 1,
    earlyStopping: null,
  };
}
const checkpointOf = (runId: string, s: TrainState) =>
  encodeCheckpoint({ origin: { runId, mlpLabVersion: '0.1.0', kernels: 'js' }, writtenAt: '2026-12-04T00:00:00Z', state: s });

function rungOutcome(epoch: number, iterations: number): RunOutcome {
  return {
    status: 'stopped',
    message: `at the rung of epoch ${epoch}`,
    history: [],
    final: { trainCost: 0.5, trainAccuracy: 80, testCost: 0.6, testAccuracy: 78.5, validationCost: null, validationAccuracy: null },
    rung: { epoch },
    iterations,
    totalIterations: 30,
    epoch: epoch + 1,
    seconds: 0.2,
    backend: 'js',
    backendNote: null,
    best: null,
    resumedFrom: null,
    checkpointNote: null,
    checkpointed: true,
    checkpointSeconds: 0,
    checkpoints: 1,
    weights: [],
  };
}

describe('a pruned trial on the queue', () => {
  it('is a job per rung, whose id names the rung, and the last rung is the run itself', () => {
    expect(jobId(base.id, 1)).toBe(`${base.id}@1`);
    expect(jobId(base.id, null)).toBe(base.id);
    const job = JSON.parse(JSON.stringify(buildJob(trial(1))));
    expect(job.rung).toEqual({ until_epoch: 1 });
    expect(acceptJob(job, env)).toMatchObject({ runId: base.id, rung: { untilEpoch: 1 } });
    expect(acceptJob(buildJob(trial(null)), env).rung).toEqual({ untilEpoch: null });
    // A run of a grid: no rung, and no checkpoint kept beyond what `checkpoint:` says.
    expect(buildJob(base).rung).toBeNull();
    expect(acceptJob(buildJob(base), env).rung).toBeNull();
  });

  it.each([
    [3, /a rung at epoch 3 of a run of 3 epochs/],
    [0, /rung/],
  ])('refuses a rung at epoch %s', (until, message) => {
    const job = { ...buildJob(base), rung: { until_epoch: until } };
    expect(() => acceptJob(job, env)).toThrow(JobRefused);
    expect(() => acceptJob(job, env)).toThrow(message);
  });

  it("answers with the rung's metrics and checkpoint, and no weights", () => {
    const bytes = checkpointOf(base.id, state(1));
    const text = JSON.stringify(encodeResult(rungOutcome(1, 10), 'w1', bytes));
    const back = decodeResult(JSON.parse(text), base.config);
    expect(back.outcome).toEqual(rungOutcome(1, 10));
    expect(Buffer.from(back.checkpoint!).equals(Buffer.from(bytes))).toBe(true);
    // A rung without its checkpoint, or a checkpoint without a rung, is not a result.
    expect(() => decodeResult(JSON.parse(JSON.stringify(encodeResult(rungOutcome(1, 10), 'w1'))), base.config)).toThrow(/comes with its checkpoint/);
    const { rung: _, ...whole } = rungOutcome(1, 10);
    expect(() => decodeResult(JSON.parse(JSON.stringify(encodeResult(whole, 'w1', bytes))), base.config)).toThrow(/comes with its checkpoint/);
  });

  it("takes the rung's checkpoint only if it is the run's state at the end of that rung", () => {
    const good = checkpointOf(base.id, state(1));
    expect(() => checkRungCheckpoint(good, base.id, { epoch: 1, iterations: 10 })).not.toThrow();
    const refused =
      (bytes: Uint8Array, rung = { epoch: 1, iterations: 10 }) =>
      () =>
        checkRungCheckpoint(bytes, base.id, rung);
    // Another rung's (a later one's, say), another run's, a state in the middle of an epoch, damaged bytes.
    expect(refused(checkpointOf(base.id, state(2)))).toThrow(/at iteration 20, not of .* at the end of epoch 1 \(iteration 10\)/);
    expect(refused(checkpointOf('000000000000', state(1)))).toThrow(/of run 000000000000/);
    expect(refused(checkpointOf(base.id, state(1, 5)), { epoch: 1, iterations: 15 })).toThrow(/at iteration 15, not of/);
    const damaged = good.slice();
    damaged[damaged.length - 40]! ^= 1;
    expect(refused(damaged)).toThrow(/the rung's checkpoint is unusable/);
  });
});

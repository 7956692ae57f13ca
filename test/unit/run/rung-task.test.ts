/**
 * A run trained to a pruner's rung, in the worker's own code (runTask): from the start, from a
 * checkpoint before the rung, and from one past it (a later rung's, when the rung's record was
 * lost, or a queue's checkpoint of a later rung), which cannot give the metrics at the rung.
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment, toDatasetSpec, toTrainConfig } from '../../../src/experiment/index.ts';
import type { RunTask } from '../../../src/run/messages.ts';
import { runTask } from '../../../src/run/worker.ts';
import { workspace } from '../../support/workspace.ts';

const run = loadExperiment('experiments/report.yaml', {
  sets: ['epochs=5', 'dataset.train_limit=200', 'dataset.test_limit=100', 'batch_size=50', 'backend=js'],
}).runs[0]!;
const control = { stopRequested: () => false, post: () => {} };

function task(file: string, untilEpoch?: number): RunTask {
  return {
    runId: run.id,
    id: run.id,
    config: toTrainConfig(run.config),
    dataset: toDatasetSpec(run.config.dataset),
    backend: 'js',
    checkpoint: { file, interval: null, resume: true },
    ...(untilEpoch === undefined ? {} : { untilEpoch }),
  };
}

describe('a run trained to a rung', () => {
  it('gives the same metrics at the rung from the start, from an earlier rung, and from a checkpoint past it', async () => {
    const dir = workspace('rung-task');
    const straight = await runTask(task(dir.path('straight.ckpt'), 3), control);
    expect(straight).toMatchObject({ status: 'stopped', rung: { epoch: 3 }, iterations: 12, resumedFrom: null, checkpointed: true });

    // From the checkpoint at epoch 1: only the epochs after it, the same metrics bit for bit.
    const stepped = dir.path('stepped.ckpt');
    expect((await runTask(task(stepped, 1), control)).iterations).toBe(4);
    const continued = await runTask(task(stepped, 3), control);
    expect(continued).toMatchObject({ rung: { epoch: 3 }, iterations: 12, resumedFrom: 4, checkpointNote: null });
    expect(continued.final).toEqual(straight.final);

    // The checkpoint now holds epoch 3: asked for epoch 1 again, the run trains to it from the start.
    const again = await runTask(task(stepped, 1), control);
    expect(again).toMatchObject({ rung: { epoch: 1 }, iterations: 4, resumedFrom: null });
    expect(again.checkpointNote).toBe('its checkpoint is past the rung of epoch 1; trained to the rung again');
    const fresh = await runTask(task(dir.path('fresh.ckpt'), 1), control);
    expect(again.final).toEqual(fresh.final);

    // The checkpoint at the rung itself is no further than the rung: it gives the same metrics without training.
    copyFileSync(dir.path('straight.ckpt'), dir.path('at-rung.ckpt'));
    const atRung = await runTask(task(path.join(dir.dir, 'at-rung.ckpt'), 3), control);
    expect(atRung).toMatchObject({ rung: { epoch: 3 }, iterations: 12, resumedFrom: 12, checkpointNote: null });
    expect(atRung.final).toEqual(straight.final);

    // And to the end from the rung's checkpoint, as a promoted trial.
    const finished = await runTask(task(dir.path('straight.ckpt')), control);
    expect(finished).toMatchObject({ status: 'completed', iterations: 20, resumedFrom: 12 });
  });
});

import { describe, expect, it } from 'vitest';
import type { TrainConfig } from '../../src/core/config.ts';
import { executeRuns, type RunEvent } from '../../src/run/schedule.ts';
import { mnistSubset } from '../support/mnist.ts';

const config: TrainConfig = {
  layers: [784, 16, 10], activations: ['relu', 'softmax'], epochs: 1, batchSize: 30, learningRate: 0.1,
  optimizer: { type: 'sgd' }, init: { scheme: 'he', std: 0.1 }, shuffle: 'epoch', historyEvery: 'epoch', evalLimit: null, seed: 1,
};

describe('executeRuns', () => {
  it('isolates a run that throws or kills its worker thread; the others finish', async () => {
    const data = mnistSubset(300, 100);
    const events: RunEvent[] = [];
    const ids = ['ok-1', 'throws', 'exits', 'ok-2'];
    await executeRuns(ids.map((runId) => ({ runId, config, data, backend: 'js' })), {
      jobs: 2, failFast: false, signal: new AbortController().signal,
      onEvent: (e) => { if (e.type !== 'progress') events.push(e); },
      worker: new URL('../fixtures/workers/faulty-worker.ts', import.meta.url),
    });
    const ends = Object.fromEntries(events.filter((e) => e.type === 'finished' || e.type === 'failed').map((e) => [e.runId, e]));
    expect(Object.keys(ends).sort()).toEqual([...ids].sort());
    expect(ends['throws']).toMatchObject({ type: 'failed', message: 'a bug in the run' });
    expect(ends['exits']).toMatchObject({ type: 'failed' });
    expect((ends['exits'] as { message: string }).message).toMatch(/exit/i);
    for (const id of ['ok-1', 'ok-2']) expect(ends[id]).toMatchObject({ type: 'finished', outcome: { status: 'completed' } });
  });

  it('with fail-fast, starts no run after the first failure', async () => {
    const data = mnistSubset(300, 100);
    const started: string[] = [];
    await executeRuns(['throws', 'ok-1', 'ok-2'].map((runId) => ({ runId, config, data, backend: 'js' })), {
      jobs: 1, failFast: true, signal: new AbortController().signal,
      onEvent: (e) => { if (e.type === 'started') started.push(e.runId); },
      worker: new URL('../fixtures/workers/faulty-worker.ts', import.meta.url),
    });
    expect(started).toEqual(['throws']);
  });
});

import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { TrainConfig } from '../../../src/core/config.ts';
import type { RunTask } from '../../../src/run/messages.ts';
import { executeRuns, type RunEvent } from '../../../src/run/schedule.ts';

const config: TrainConfig = {
  layers: [784, 16, 10],
  activations: ['relu', 'softmax'],
  epochs: 1,
  batchSize: 30,
  learningRate: 0.1,
  optimizer: { type: 'sgd' },
  init: { scheme: 'he', std: 0.1 },
  shuffle: 'epoch',
  historyEvery: 'epoch',
  evalLimit: null,
  seed: 1,
};
const task = (runId: string): RunTask => ({
  runId,
  id: runId,
  config,
  backend: 'js',
  dataset: { files: 'mnist', trainLimit: 300, testLimit: 100, validation: 0 },
  checkpoint: { file: null, interval: null, resume: false },
});
const FAULTY = new URL('../../fixtures/workers/faulty-worker.ts', import.meta.url);

describe('executeRuns', () => {
  it('records a run whose worker process really crashes as failed, with the reason, and the others finish', async () => {
    const events: RunEvent[] = [];
    const ids = ['ok-1', 'throws', 'exits', 'aborts', 'segfaults', 'oom', 'ok-2'];
    await executeRuns(ids.map(task), {
      jobs: 2,
      failFast: false,
      signal: new AbortController().signal,
      onEvent: (e) => {
        if (e.type !== 'progress') events.push(e);
      },
      // A small heap, so that the run that hoards memory exhausts it in a moment.
      worker: FAULTY,
      workerExecArgv: ['--max-old-space-size=64'],
    });
    const ends = Object.fromEntries(events.filter((e) => e.type === 'finished' || e.type === 'failed').map((e) => [e.runId, e]));
    expect(Object.keys(ends).sort()).toEqual([...ids].sort());
    const message = (id: string) => ends[id] as { type: string; message?: string };
    expect(message('throws')).toMatchObject({ type: 'failed', message: 'a bug in the run' });
    expect(message('exits')).toMatchObject({ type: 'failed', message: expect.stringMatching(/exited unexpectedly with code 3/) });
    expect(message('aborts')).toMatchObject({ type: 'failed', message: expect.stringMatching(/aborted \(SIGABRT\)/) });
    expect(message('segfaults')).toMatchObject({ type: 'failed', message: expect.stringMatching(/crashed \(SIGSEGV: a fault in native code\)/) });
    expect(message('oom')).toMatchObject({ type: 'failed', message: expect.stringMatching(/ran out of memory/) });
    for (const id of ['ok-1', 'ok-2']) expect(ends[id]).toMatchObject({ type: 'finished', outcome: { status: 'completed' } });
  });

  it('with fail-fast, starts no run after the first failure', async () => {
    const started: string[] = [];
    await executeRuns(['throws', 'ok-1', 'ok-2'].map(task), {
      jobs: 1,
      failFast: true,
      signal: new AbortController().signal,
      onEvent: (e) => {
        if (e.type === 'started') started.push(e.runId);
      },
      worker: FAULTY,
    });
    expect(started).toEqual(['throws']);
  });

  it('gives the cores that no run waiting to start will take (of --jobs) to the evaluations of the runs in flight', async () => {
    const THREADS = new URL('../../fixtures/workers/threads-worker.ts', import.meta.url);
    const threadsSeen = async (ids: string[], jobs: number) => {
      const seen = new Map<string, number[]>();
      await executeRuns(ids.map(task), {
        jobs,
        failFast: false,
        signal: new AbortController().signal,
        worker: THREADS,
        onEvent: (e) => {
          if (e.type === 'finished') seen.set(e.runId, e.outcome.message!.replace('threads ', '').split(',').map(Number));
        },
      });
      return seen;
    };
    const cores = Math.min(2, availableParallelism());
    // One run and two slots: it evaluates on both cores from the start; with one slot, on one.
    expect((await threadsSeen(['alone'], 2)).get('alone')).toEqual([cores, cores]);
    expect((await threadsSeen(['alone'], 1)).get('alone')).toEqual([1, 1]);
    // Three runs in two slots: while the third waits, one core each; the last one running gets both.
    const three = await threadsSeen(['a', 'b', 'c'], 2);
    expect([...three.values()].flat().every((t) => t === 1 || t === cores)).toBe(true);
  });

  it("starts the next run while a finished run's handler (writing its record) still runs, and settles only once it has returned", async () => {
    const order: string[] = [];
    let release!: () => void;
    const recorded = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Were the slot held until the handler returns, ok-2 would not start: the timer ends the wait then.
    const fallback = setTimeout(() => release(), 15_000);
    await executeRuns(['ok-1', 'ok-2'].map(task), {
      jobs: 1,
      failFast: false,
      signal: new AbortController().signal,
      worker: FAULTY,
      onEvent: async (e) => {
        if (e.type === 'started') {
          order.push(`started ${e.runId}`);
          if (e.runId === 'ok-2') release();
        }
        if (e.type === 'finished' && e.runId === 'ok-1') {
          await recorded;
          order.push('recorded ok-1');
        }
      },
    });
    clearTimeout(fallback);
    order.push('settled');
    expect(order).toEqual(['started ok-1', 'started ok-2', 'recorded ok-1', 'settled']);
  });
});

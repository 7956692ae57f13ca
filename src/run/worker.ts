import { train } from '../core/train.ts';
import { loadKernels, type BackendChoice, type LoadedKernels } from '../backends/load.ts';
import type { ProgressMessage, RunOutcome, RunTask } from './messages.ts';

/** Milliseconds between progress messages, so that the main thread is not flooded. */
const PROGRESS_INTERVAL_MS = 200;

/** Kernels loaded in this thread, one instance per backend choice, reused run after run. */
const loaded = new Map<BackendChoice, Promise<LoadedKernels>>();

/**
 * The worker-thread entry (run by piscina): trains one run. Each backend is loaded once per thread;
 * after a run its buffers are released, so that a long sweep does not accumulate memory (a wasm
 * memory cannot shrink or be freed). Exceptions propagate to the pool, which records the run as failed.
 */
export default async function runInWorker(task: RunTask): Promise<RunOutcome> {
  let loading = loaded.get(task.backend);
  if (!loading) {
    loading = loadKernels(task.backend);
    loaded.set(task.backend, loading);
    loading.catch(() => loaded.delete(task.backend));
  }
  const { kernels, note } = await loading;
  let lastPost = 0;
  try {
    const result = train(task.config, task.data, kernels, {
      shouldStop: () => Atomics.load(task.stop, 0) !== 0,
      onProgress: (p) => {
        const now = performance.now();
        if (now - lastPost < PROGRESS_INTERVAL_MS && p.iteration !== p.iterations) return;
        lastPost = now;
        const message: ProgressMessage = {
          type: 'progress',
          runId: task.runId,
          epoch: p.epoch,
          epochs: p.epochs,
          iteration: p.iteration,
          iterations: p.iterations,
          trainCost: Number.isFinite(p.trainCost) ? p.trainCost : (p.latest?.trainCost ?? NaN),
          testAccuracy: p.latest?.testAccuracy ?? null,
        };
        task.port.postMessage(message);
      },
    });
    return {
      status: result.status,
      message: result.message,
      history: result.history,
      final: result.final,
      iterations: result.iterations,
      seconds: result.seconds,
      backend: kernels.name,
      backendNote: note,
      weights: result.network.layers.flatMap((layer, i) => [
        { name: `W${i + 1}`, shape: [layer.nIn, layer.nOut], data: layer.W.slice() },
        { name: `b${i + 1}`, shape: [layer.nOut], data: layer.b.slice() },
      ]),
    };
  } finally {
    kernels.releaseAll();
    task.port.close();
  }
}

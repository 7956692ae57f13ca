import { train } from '../core/train.ts';
import { loadKernels } from '../backends/load.ts';
import type { ProgressMessage, RunOutcome, RunTask } from './messages.ts';

/** Milliseconds between progress messages, so that the main thread is not flooded. */
const PROGRESS_INTERVAL_MS = 200;

/**
 * The worker-thread entry (run by piscina): trains one run. Kernels are loaded per run (the loader
 * caches the compiled module per thread; a fresh wasm memory per run keeps a long sweep from
 * accumulating buffers). Exceptions propagate to the pool, which records the run as failed.
 */
export default async function runInWorker(task: RunTask): Promise<RunOutcome> {
  const { kernels, note } = await loadKernels(task.backend);
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
    task.port.close();
  }
}

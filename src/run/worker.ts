import { setImmediate as yieldToEvents } from 'node:timers/promises';
import type { TrainingData } from '../core/dataset.ts';
import { Training, type FinalMetrics, type TrainState } from '../core/train.ts';
import { fileMapper, kernelFiles, kernelsIdentity, loadKernels, type BackendChoice, type LoadedKernels } from '../backends/load.ts';
import { loadDataset } from '../data/load.ts';
import type { CheckpointOrigin } from '../store/checkpoint.ts';
import { readCheckpointFile, writeCheckpointFile } from '../store/checkpoint-files.ts';
import type { FromWorker, ProgressMessage, RunOutcome, RunTask, ToWorker } from './messages.ts';
import { codeVersion } from './provenance.ts';

/** Milliseconds between progress messages, so that the main process is not flooded. */
const PROGRESS_INTERVAL_MS = 200;
/**
 * Training runs in slices of this many milliseconds, between which the worker reads its messages
 * (a stop request) and writes checkpoints. Each slice ends between two iterations.
 */
const SLICE_MS = 100;

/** What the process around a run provides: whether to stop, and where progress goes. */
export interface RunControl {
  stopRequested(): boolean;
  /** Threads an evaluation may use now; 1 when absent. */
  evaluationThreads?(): number;
  post(message: FromWorker): void;
}

/** Kernels, and datasets, loaded in this process, reused run after run. */
const loaded = new Map<BackendChoice, Promise<LoadedKernels>>();
const datasets = new Map<string, TrainingData>();
/**
 * The fingerprint of the code this process loaded, by backend: hashing the core's files and the
 * kernel binary again for every run of a sweep cost a millisecond or more a run, and the code a
 * process runs does not change once it is loaded.
 */
const codeVersions = new Map<string, string>();

/**
 * Trains one run in this worker process, continuing from its checkpoint when one can be trusted,
 * writing checkpoints as the task says, and, when asked to stop, writing one last checkpoint and
 * returning status `stopped`. Exceptions propagate (the run is recorded as failed); a checkpoint that
 * cannot be written is such an exception, so that no run goes on while it could lose its progress.
 */
export async function runTask(task: RunTask, control: RunControl): Promise<RunOutcome> {
  let loading = loaded.get(task.backend);
  if (!loading) {
    loading = loadKernels(task.backend);
    loaded.set(task.backend, loading);
    loading.catch(() => loaded.delete(task.backend));
  }
  const { kernels, note } = await loading;
  const dataKey = JSON.stringify(task.dataset);
  let data = datasets.get(dataKey);
  if (!data) {
    // The bundled MNIST is mapped where the native addon can: the worker processes then share one
    // copy of the images. A user's own IDX files are read: a file rewritten in place during a sweep
    // would change a mapping's pages under a training run (or end it with SIGBUS when truncated).
    data = loadDataset(task.dataset, { mapFile: task.dataset.files === 'mnist' ? fileMapper() : null });
    datasets.set(dataKey, data);
  }
  let version = codeVersions.get(kernels.name);
  if (version === undefined) {
    version = codeVersion(kernelFiles(kernels.name));
    codeVersions.set(kernels.name, version);
  }
  const origin: CheckpointOrigin = { runId: task.id, mlpLabVersion: version, kernels: kernelsIdentity(kernels) };
  const file = task.checkpoint.file;
  let resume: TrainState | null = null;
  let checkpointNote: string | null = null;
  if (file && task.checkpoint.resume) {
    const found = readCheckpointFile(file, origin);
    if (found && 'checkpoint' in found) resume = found.checkpoint.state;
    else if (found) checkpointNote = found.ignored;
  }
  // A checkpoint past the rung (a later rung's, when this rung's record was lost) cannot give the
  // metrics at the rung: the run trains to it again. At the rung's end, epoch is the next one, position 0.
  const until = task.untilEpoch;
  if (resume && until !== undefined && (resume.epoch > until + 1 || (resume.epoch === until + 1 && resume.position > 0))) {
    checkpointNote = `its checkpoint is past the rung of epoch ${until}; trained to the rung again`;
    resume = null;
  }

  let lastPost = 0;
  try {
    const training = new Training(
      task.config,
      data,
      kernels,
      {
        evaluationThreads: () => control.evaluationThreads?.() ?? 1,
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
            seconds: training.seconds(),
          };
          control.post(message);
        },
      },
      resume,
    );

    const interval = file ? task.checkpoint.interval : null;
    let checkpointSeconds = 0;
    let checkpoints = 0;
    let lastCheckpoint = performance.now();
    let nextIteration = interval && 'iterations' in interval ? training.iterationsDone + interval.iterations : Infinity;
    const save = (): void => {
      const started = performance.now();
      writeCheckpointFile(file!, { origin, writtenAt: new Date().toISOString(), state: training.snapshot() });
      lastCheckpoint = performance.now();
      checkpointSeconds += (lastCheckpoint - started) / 1000;
      checkpoints++;
    };

    let checkpointed = false;
    // A rung: the iteration that ends epoch `untilEpoch` (every epoch has the same number of batches).
    const rungIteration = task.untilEpoch === undefined ? Infinity : (training.iterations / task.config.epochs) * task.untilEpoch;
    if (rungIteration !== Infinity && !file) throw new Error('a run stopped at a rung needs a checkpoint file to go on from');
    let rung: { epoch: number; final: FinalMetrics } | null = null;
    while (!training.done) {
      const sliceEnd = performance.now() + SLICE_MS;
      training.advance(
        () => control.stopRequested() || training.iterationsDone >= nextIteration || training.iterationsDone >= rungIteration || performance.now() >= sliceEnd,
      );
      if (training.done) break;
      if (training.iterationsDone >= rungIteration) {
        // The checkpoint first: it is the state a promoted trial continues from, bit for bit.
        save();
        checkpointed = true;
        rung = { epoch: task.untilEpoch!, final: training.evaluateNow() };
        training.stop();
        break;
      }
      if (control.stopRequested()) {
        if (file) {
          save();
          checkpointed = true;
        }
        training.stop();
        break;
      }
      if (interval && 'iterations' in interval && training.iterationsDone >= nextIteration) {
        save();
        nextIteration += interval.iterations;
      } else if (interval && 'seconds' in interval && performance.now() - lastCheckpoint >= interval.seconds * 1000) {
        save();
      }
      // Lets the process read a stop request (a message, a signal) between slices.
      await yieldToEvents();
    }

    const result = training.finish();
    return {
      status: result.status,
      message: rung ? `at the rung of epoch ${rung.epoch}` : result.message,
      history: result.history,
      final: rung ? rung.final : result.final,
      ...(rung ? { rung: { epoch: rung.epoch } } : {}),
      iterations: result.iterations,
      totalIterations: training.iterations,
      epoch: training.progress.epoch,
      seconds: result.seconds,
      backend: kernels.name,
      backendNote: note,
      best: result.best,
      resumedFrom: resume ? resume.iteration : null,
      checkpointNote,
      checkpointed,
      checkpointSeconds,
      checkpoints,
      weights:
        result.status === 'stopped'
          ? []
          : result.network.layers.flatMap((layer, i) => [
              { name: `W${i + 1}`, shape: [layer.nIn, layer.nOut], data: layer.W.slice() },
              { name: `b${i + 1}`, shape: [layer.nOut], data: layer.b.slice() },
            ]),
    };
  } finally {
    kernels.releaseAll();
  }
}

/**
 * Makes this process a worker process: trains the runs the main process sends, one at a time. Runs live
 * in processes rather than threads so that a crash in native code or an exhausted heap ends only
 * this process, which the main process records as the run's failure.
 *
 * A stop request comes as a message, or as SIGINT / SIGTERM (Ctrl-C in a terminal reaches the
 * whole process group): the run in flight then checkpoints and ends as `stopped`. When the main
 * process disappears (killed), the channel closes and the run stops the same way.
 */
export function serve(handler: (task: RunTask, control: RunControl) => Promise<RunOutcome> = runTask): void {
  let stop = false;
  let threads = 1;
  const send = (message: FromWorker): void => {
    if (process.connected) process.send!(message);
  };
  const control: RunControl = { stopRequested: () => stop, evaluationThreads: () => threads, post: send };
  const requestStop = (): void => {
    stop = true;
  };
  process.on('SIGINT', requestStop);
  process.on('SIGTERM', requestStop);
  let busy = false;
  process.on('disconnect', () => {
    stop = true;
    if (!busy) process.exit(0);
  });
  process.on('message', (message: ToWorker) => {
    if (message.type === 'stop') {
      stop = true;
      return;
    }
    if (message.type === 'threads') {
      threads = message.threads;
      return;
    }
    const { task } = message;
    busy = true;
    handler(task, control)
      .then(
        (outcome) => send({ type: 'outcome', runId: task.runId, outcome }),
        (error: unknown) => send({ type: 'failed', runId: task.runId, message: error instanceof Error ? error.message || error.name : String(error) }),
      )
      .finally(() => {
        busy = false;
        // The main process is gone: the run has checkpointed, nothing else will come.
        if (!process.connected) process.exit(0);
      });
  });
}

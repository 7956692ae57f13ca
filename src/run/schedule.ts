import { MessageChannel } from 'node:worker_threads';
import pLimit from 'p-limit';
import { Piscina } from 'piscina';
import type { TrainConfig } from '../core/config.ts';
import type { TrainingData } from '../core/dataset.ts';
import type { BackendChoice } from '../backends/load.ts';
import type { ProgressMessage, RunOutcome, RunTask } from './messages.ts';

/** One run ready to execute: its id, the core's configuration, its (shared) data and backend. */
export interface ScheduledRun {
  runId: string;
  config: TrainConfig;
  data: TrainingData;
  backend: BackendChoice;
}

/** What the scheduler reports, in order, for each run it starts. */
export type RunEvent =
  | { type: 'started'; runId: string }
  | ProgressMessage
  | { type: 'finished'; runId: string; outcome: RunOutcome }
  | { type: 'failed'; runId: string; message: string };

export interface ScheduleOptions {
  /** Runs in flight at once, each in its own worker thread. */
  jobs: number;
  /** Stop starting runs, and stop runs in flight, after the first failure. */
  failFast: boolean;
  /** Aborting stops runs in flight between two iterations (status `stopped`) and starts no more. */
  signal: AbortSignal;
  /** Called on the main thread for every event; must not throw. */
  onEvent: (event: RunEvent) => void | Promise<void>;
  /** The worker module (default: worker.ts); tests substitute one that crashes. */
  worker?: URL;
}

/** The worker entry beside this module: worker.js in the compiled program, worker.ts when run from source. */
const WORKER = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);

/**
 * Node 20 cannot load TypeScript by itself, so workers of a program run from source register tsx.
 * It is given as a resolved file URL: a bare `tsx` would be looked up from the current folder,
 * which fails when mlp-lab is started from outside its checkout.
 */
const WORKER_EXEC_ARGV = import.meta.url.endsWith('.ts') && !process.execArgv.some((arg) => arg.includes('tsx'))
  ? [...process.execArgv, '--import', import.meta.resolve('tsx')]
  : process.execArgv;

/**
 * Executes runs on a pool of `jobs` worker threads. A run that throws or kills its worker is
 * reported as `failed` and the others go on; the returned promise settles when every started run
 * has ended and its event handler has returned.
 */
export async function executeRuns(runs: readonly ScheduledRun[], options: ScheduleOptions): Promise<void> {
  const pool = new Piscina<RunTask, RunOutcome>({ filename: (options.worker ?? WORKER).href, execArgv: WORKER_EXEC_ARGV, minThreads: 0, maxThreads: options.jobs, idleTimeout: 1000 });
  const limit = pLimit(options.jobs);
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const raiseStop = () => Atomics.store(stop, 0, 1);
  options.signal.addEventListener('abort', raiseStop, { once: true });
  let halted = false;

  const execute = async (run: ScheduledRun): Promise<void> => {
    if (halted || options.signal.aborted) return;
    await options.onEvent({ type: 'started', runId: run.runId });
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (message: ProgressMessage) => void options.onEvent(message));
    try {
      const task: RunTask = { runId: run.runId, config: run.config, data: run.data, backend: run.backend, stop, port: port2 };
      const outcome = await pool.run(task, { transferList: [port2] });
      await options.onEvent({ type: 'finished', runId: run.runId, outcome });
    } catch (error) {
      if (options.failFast) {
        halted = true;
        raiseStop();
      }
      await options.onEvent({ type: 'failed', runId: run.runId, message: describeFailure(error) });
    } finally {
      port1.close();
    }
  };

  try {
    await Promise.all(runs.map((run) => limit(() => execute(run))));
  } finally {
    options.signal.removeEventListener('abort', raiseStop);
    await pool.destroy();
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import type { ProgressMessage, RunOutcome, RunTask } from './messages.ts';
import { ProcessPool } from './process-pool.ts';

/** What the scheduler reports, in order, for each run it starts. */
export type RunEvent =
  | { type: 'started'; runId: string }
  | ProgressMessage
  | { type: 'finished'; runId: string; outcome: RunOutcome }
  | { type: 'failed'; runId: string; message: string };

export interface ScheduleOptions {
  /** Runs in flight at once, each in its own worker process. */
  jobs: number;
  /** Stop starting runs, and stop runs in flight, after the first failure. */
  failFast: boolean;
  /** Aborting makes runs in flight checkpoint and stop (status `stopped`) and starts no more. */
  signal: AbortSignal;
  /** Called in the main process for every event; must not throw. */
  onEvent: (event: RunEvent) => void | Promise<void>;
  /** The worker process's entry (default: worker-process.ts); tests substitute one that crashes. */
  worker?: URL;
  /** Extra Node options for the worker processes (tests give one a small heap). */
  workerExecArgv?: readonly string[];
  /** Worker processes to use and keep (createRunPool), for a caller that executes batch after batch; by default a pool lives for one call. */
  pool?: ProcessPool;
}

/** Worker processes that outlive one call of executeRuns; the caller closes the pool. */
export function createRunPool(): ProcessPool {
  return new ProcessPool({ entry: WORKER, execArgv: workerExecArgv(WORKER) });
}

/**
 * The worker entry beside this module: worker-process.js in the compiled program, .ts from source.
 * Spelled from the parent folder so that it resolves the same from dist/bundle/ (scripts/bundle.mjs).
 */
const WORKER = new URL(import.meta.url.endsWith('.ts') ? '../run/worker-process.ts' : '../run/worker-process.js', import.meta.url);

/**
 * Node 20 cannot load TypeScript by itself, so worker processes of a program run from source load
 * tsx, given as a resolved file URL (a bare `tsx` would be looked up from the current folder).
 */
function workerExecArgv(entry: URL): string[] {
  return entry.pathname.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];
}

/**
 * Executes runs on `jobs` worker processes. A run that throws or kills its worker process (a
 * native crash, an exhausted heap) is reported as `failed` with the reason, and the others go on;
 * the returned promise settles when every started run has ended and its event handler has returned.
 * A run's slot is free once its outcome is in: the next run starts while the handler of its
 * 'finished' event (writing the record to disk) still runs.
 */
export async function executeRuns(runs: readonly RunTask[], options: ScheduleOptions): Promise<void> {
  const entry = options.worker ?? WORKER;
  const pool = options.pool ?? new ProcessPool({ entry, execArgv: [...workerExecArgv(entry), ...(options.workerExecArgv ?? [])] });
  const limit = pLimit(options.jobs);
  // Once no run waits to start, the cores that the runs in flight leave free (of --jobs) go to
  // their evaluations: the last run of a sweep then evaluates on every core it was given.
  const cores = Math.min(options.jobs, availableParallelism());
  const shareCores = (): void => {
    const inFlight = limit.activeCount;
    pool.setThreads(limit.pendingCount === 0 && inFlight > 0 ? Math.max(1, Math.floor(cores / inFlight)) : 1);
  };
  const stopAll = () => pool.stopAll();
  options.signal.addEventListener('abort', stopAll, { once: true });
  let halted = false;
  // The handlers of 'finished' still running (writing a record): the next run need not wait for
  // the disk, but this call settles only once they have returned.
  const finishing: Promise<void>[] = [];

  const execute = async (task: RunTask): Promise<void> => {
    if (halted || options.signal.aborted) return;
    await options.onEvent({ type: 'started', runId: task.runId });
    shareCores();
    try {
      const outcome = await pool.run(task, (message) => void options.onEvent(message));
      const finished = Promise.resolve()
        .then(() => options.onEvent({ type: 'finished', runId: task.runId, outcome }))
        .catch((error: unknown) => options.onEvent({ type: 'failed', runId: task.runId, message: messageOf(error) }));
      finishing.push(finished);
    } catch (error) {
      if (options.failFast && !halted) {
        halted = true;
        pool.stopAll();
      }
      await options.onEvent({ type: 'failed', runId: task.runId, message: messageOf(error) });
    }
  };

  try {
    // After a run's slot is released (and the next run, if any, has taken it).
    await Promise.all(runs.map((run) => limit(() => execute(run)).then(() => setImmediate(shareCores))));
  } finally {
    await Promise.all(finishing);
    options.signal.removeEventListener('abort', stopAll);
    if (!options.pool) await pool.close();
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message || error.name : String(error));

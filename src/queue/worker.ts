import { setTimeout as sleep } from 'node:timers/promises';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { checkpointInterval, toDatasetSpec, toTrainConfig } from '../experiment/index.ts';
import type { RunOutcome } from '../run/messages.ts';
import { createRunPool, executeRuns } from '../run/schedule.ts';
import { acceptJob, JobRefused } from './accept.ts';
import { CheckpointRelay } from './checkpoints.ts';
import { QUEUE_NAME, QUEUE_PREFIX, type QueueConnection } from './connection.ts';
import { jobId } from './payload.ts';
import { encodeResult, toJson } from './result.ts';

export interface QueueWorkerOptions {
  connection: QueueConnection;
  /** Runs trained at once, each in its own worker process. */
  jobs: number;
  /** Recorded on every job it takes (`mlp-lab queue` shows it). */
  name: string;
  /** Where IDX files are looked up by base name. */
  dataDir: string;
  /**
   * A worker that has not renewed its lock on a run for this long is taken for dead: its run goes
   * back to the queue for another worker (BullMQ's stalled-job check, run this often too).
   */
  lockSeconds: number;
  /** One line per event (run taken, finished, refused, connection trouble). */
  log: (line: string) => void;
}

export interface QueueWorker {
  /** Takes no more runs; resolves once the runs in flight have finished and been reported. */
  finishAndStop(): Promise<void>;
  /** Makes the runs in flight checkpoint and stop, puts them back in the queue, then stops. */
  handBackAndStop(): Promise<void>;
}

/** Progress goes to Redis at most this often per run (the local view redraws faster). */
const PROGRESS_INTERVAL_MS = 500;

/**
 * A BullMQ worker with `jobs` slots. Each job is checked by acceptJob (nothing else from it is
 * used), trained by the same scheduler and worker processes as a local run (run/schedule.ts),
 * with its checkpoints relayed to Redis so that another worker can continue it, and answered with
 * its outcome, weights included; a pruned search's job to a rung is answered with the metrics and
 * the checkpoint there. A refused job fails at once, with the reason, and is not
 * retried: another worker would refuse it too, being of the same version and data.
 */
export async function startWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const handBack = new AbortController();
  // One pool for the worker's life: a process, its modules, kernels and datasets load once, not per run.
  const pool = createRunPool();
  const redis = new Redis(options.connection.redis);
  redis.on('error', () => {}); // reconnects by itself; the BullMQ worker reports connection trouble
  const checkpoints = new CheckpointRelay(redis);

  const runOfJob = new Map<string, string>();
  const process = async (job: Job, token?: string) => {
    let accepted: ReturnType<typeof acceptJob>;
    try {
      accepted = acceptJob(job.data, { dataDir: options.dataDir });
    } catch (error) {
      if (!(error instanceof JobRefused)) throw error;
      options.log(`refused   ${job.id}: ${error.message}`);
      throw new UnrecoverableError(`worker ${options.name} refused the run: ${error.message}`);
    }
    const { runId, config, rung } = accepted;
    const untilEpoch = rung?.untilEpoch ?? null;
    const id = jobId(runId, untilEpoch);
    if (job.id !== id) {
      options.log(`refused   ${job.id}: it is the job of ${id}`);
      throw new UnrecoverableError(`worker ${options.name} refused the run: malformed job: job id ${job.id ?? '(none)'}, the run's is ${id}`);
    }
    const interval = checkpointInterval(config);
    // A pruned search's trial keeps a checkpoint whatever `checkpoint:` says: its next rung goes on from it.
    const checkpointed = interval !== null || rung !== null;
    const resumable = checkpointed && (await checkpoints.fetch(runId));
    options.log(`start     ${id} ${accepted.label}${untilEpoch === null ? '' : ` to epoch ${untilEpoch}`}${resumable ? ' (from its checkpoint)' : ''}`);
    const stopWatching = checkpointed ? checkpoints.watch(runId, (error) => options.log(`checkpoint of ${runId} not sent: ${error.message}`)) : null;
    let outcome: RunOutcome | null = null;
    let failure: string | null = null;
    let lastProgress = 0;
    try {
      await executeRuns(
        [
          {
            runId,
            id: runId,
            config: toTrainConfig(config),
            dataset: toDatasetSpec(config.dataset),
            backend: config.backend,
            checkpoint: { file: checkpointed ? checkpoints.fileFor(runId) : null, interval, resume: true },
            ...(untilEpoch === null ? {} : { untilEpoch }),
          },
        ],
        {
          jobs: 1,
          failFast: false,
          signal: handBack.signal,
          pool,
          onEvent: (event) => {
            if (event.type === 'progress') {
              const now = Date.now();
              if (now - lastProgress < PROGRESS_INTERVAL_MS && event.iteration !== event.iterations) return;
              lastProgress = now;
              const { runId: _, ...progress } = event;
              job.updateProgress(toJson(progress) as object).catch(() => {}); // a lost update is not worth failing a run for
            } else if (event.type === 'finished') {
              outcome = event.outcome;
            } else if (event.type === 'failed') {
              failure = event.message;
            }
          },
        },
      );
    } finally {
      await stopWatching?.();
    }
    const result = outcome as RunOutcome | null;
    if (failure === null && (result === null || (result.status === 'stopped' && !result.rung))) {
      // Handed back: the next worker continues from the checkpoint just sent.
      await job.moveToWait(token);
      options.log(`handed back ${id}${result?.checkpointed ? ` at iteration ${result.iterations} of ${result.totalIterations}, checkpoint sent` : ''}`);
      throw new WaitingError();
    }
    // At a rung, the checkpoint goes back with the result: the `run` that queued the job keeps it
    // with the rung's record and sends it again with the next rung's job, if the trial goes on.
    const rungCheckpoint = failure === null && result!.rung ? checkpoints.take(runId) : null;
    await checkpoints.drop(runId);
    if (failure !== null) {
      options.log(`failed    ${id}: ${failure}`);
      throw new Error(failure);
    }
    const done = result!;
    const resumed = done.resumedFrom !== null ? `, resumed at iteration ${done.resumedFrom}` : '';
    const what = done.rung
      ? `${'at rung'.padEnd(9)} ${id} test accuracy ${done.final.testAccuracy.toFixed(2)}% at epoch ${done.rung.epoch}`
      : `${done.status.padEnd(9)} ${id} test accuracy ${done.final.testAccuracy.toFixed(2)}%`;
    // Logged as trained, not as done: Redis may still refuse the result (see lostLock below).
    options.log(`${what} in ${done.seconds.toFixed(1)} s${resumed}, sending the result`);
    if (job.id !== undefined) runOfJob.set(job.id, id);
    return encodeResult(done, options.name, rungCheckpoint);
  };

  const worker = new Worker(QUEUE_NAME, process, {
    connection: options.connection.redis,
    prefix: QUEUE_PREFIX,
    name: options.name,
    concurrency: options.jobs,
    lockDuration: options.lockSeconds * 1000,
    stalledInterval: options.lockSeconds * 1000,
    // A run that keeps killing its workers (out of memory, say) fails after its third start.
    maxStalledCount: 2,
    drainDelay: 2,
    autorun: false,
  });
  let lastError = '';
  worker.on('completed', (job) => {
    const runId = job.id === undefined ? undefined : runOfJob.get(job.id);
    if (job.id !== undefined) runOfJob.delete(job.id);
    if (runId) options.log(`sent      ${runId}`);
  });
  worker.on('error', (error) => {
    const line = error.message.split('\n')[0] ?? String(error);
    const lost = lostLock(line);
    if (lost !== null) {
      const runId = runOfJob.get(lost) ?? lost;
      runOfJob.delete(lost);
      options.log(
        `lost      ${runId}: Redis no longer held this worker's lock on the job (Redis restarted or lost it, or the worker was silent for more than --lock-seconds), so the result above was not recorded; the queue gives the run to a worker again`,
      );
      return;
    }
    if (line !== lastError) options.log(`queue: ${line}${/ECONNREFUSED|ECONNRESET|Connection is closed/.test(line) ? ' (reconnecting)' : ''}`);
    lastError = line;
  });
  worker.on('ready', () => {
    if (lastError) options.log('queue: connected again');
    lastError = '';
  });
  let stopping = false;
  // BullMQ's fetch loop can end on a connection error, after which the worker takes no more jobs
  // although it reconnects (taskforcesh/bullmq#648, #2964): start it again until we stop.
  const serve = async () => {
    while (!stopping) {
      try {
        await worker.run();
      } catch (error) {
        if (!stopping) options.log(`queue: the worker stopped taking jobs (${(error as Error).message.split('\n')[0]}); starting it again`);
      }
      if (!stopping) await sleep(1000);
    }
  };
  void serve();
  await worker.waitUntilReady();
  const close = async () => {
    stopping = true;
    await worker.close();
    await pool.close();
    checkpoints.close();
    redis.disconnect();
  };
  return {
    finishAndStop: close,
    handBackAndStop: () => {
      handBack.abort();
      return close();
    },
  };
}

/** The job id of BullMQ's `Missing lock for job ID. moveToFinished` (a result refused because the job's lock is gone), or null. */
export function lostLock(message: string): string | null {
  return /^Missing (?:lock|key) for job (\S+?)\.? moveTo(?:Finished|Completed|Failed)/.exec(message)?.[1] ?? null;
}

import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAME, QUEUE_PREFIX, type QueueConnection } from './connection.ts';

/** How long a cancellation is remembered: long enough for the `run` that queued the job to see it. */
const CANCEL_MARK_SECONDS = 24 * 3600;

/** The Redis key that says a run's job was cancelled, so that the `run` waiting for it does not queue it again. */
export function cancelKey(runId: string): string {
  return `${QUEUE_PREFIX}:${QUEUE_NAME}:cancelled:${runId}`;
}

export interface CancelOutcome {
  cancelled: string[];
  /** Running on a worker: not cancelled (a worker holds the job). */
  running: { runId: string; worker: string | null }[];
  /** Named but not in the queue, or already finished. */
  notWaiting: string[];
}

/**
 * Takes waiting jobs out of the queue: the runs named, or every waiting one. Each is marked
 * cancelled, so that the `mlp-lab run --queue` waiting for it records it as failed ("cancelled")
 * instead of queuing it again. Running jobs are left to their worker.
 */
export async function cancelRuns(connection: QueueConnection, runIds: readonly string[]): Promise<CancelOutcome> {
  const queue = new Queue(QUEUE_NAME, { connection: connection.redis, prefix: QUEUE_PREFIX });
  const redis = new Redis(connection.redis);
  const outcome: CancelOutcome = { cancelled: [], running: [], notWaiting: [] };
  try {
    const ids = runIds.length > 0 ? runIds : (await queue.getJobs(['waiting', 'prioritized', 'delayed'])).flatMap((job) => (job?.id ? [job.id] : []));
    for (const id of ids) {
      const job = await queue.getJob(id);
      const state = job ? await job.getState() : 'unknown';
      if (job && (state === 'waiting' || state === 'prioritized' || state === 'delayed')) {
        await redis.set(cancelKey(id), '1', 'EX', CANCEL_MARK_SECONDS);
        await job.remove();
        outcome.cancelled.push(id);
      } else if (job && state === 'active') {
        outcome.running.push({ runId: id, worker: job.processedBy ?? null });
      } else {
        outcome.notWaiting.push(id);
      }
    }
    return outcome;
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** Puts every failed job back in the queue, to be trained again; the run ids. */
export async function retryFailed(connection: QueueConnection): Promise<string[]> {
  const queue = new Queue(QUEUE_NAME, { connection: connection.redis, prefix: QUEUE_PREFIX });
  try {
    const failed = (await queue.getJobs(['failed'])).filter((job) => job?.id);
    for (const job of failed) await job.retry('failed');
    return failed.map((job) => job.id!);
  } finally {
    await queue.close();
  }
}

/** Removes the finished jobs and their results from Redis; how many. */
export async function clearDone(connection: QueueConnection): Promise<number> {
  const queue = new Queue(QUEUE_NAME, { connection: connection.redis, prefix: QUEUE_PREFIX });
  try {
    return (await queue.clean(0, 0, 'completed')).length;
  } finally {
    await queue.close();
  }
}

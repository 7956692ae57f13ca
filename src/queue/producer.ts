import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { ResolvedRun } from '../experiment/index.ts';
import type { ProgressMessage } from '../run/messages.ts';
import type { RunExecutor } from '../run/run-experiments.ts';
import { QUEUE_NAME, QUEUE_PREFIX, type QueueConnection } from './connection.ts';
import { checkpointKey } from './checkpoints.ts';
import { buildJob, type RunJob } from './payload.ts';
import { decodeResult, fromJson } from './result.ts';

export interface QueueExecutorOptions {
  connection: QueueConnection;
  /** Retrain runs whose finished job is still in the queue instead of taking its result. */
  force: boolean;
  /** Seconds between checks of every job's state, which make up for events lost while Redis was away. */
  pollSeconds?: number;
  /** Remarks for the user: jobs reattached, Redis lost and back. */
  log: (line: string) => void;
}

/** Finished and failed jobs stay this long in Redis, so that a rerun after a crash can collect them. */
const KEEP_SECONDS = 7 * 24 * 3600;

interface Entry {
  run: ResolvedRun;
  /** Results folders waiting for this run (usually one). */
  keys: string[];
  state: 'queued' | 'started' | 'done';
}

/**
 * A RunExecutor that trains on remote workers through the BullMQ queue at `connection`, reporting
 * the same events as the local scheduler. Each run is one job whose id is its run id, so a run is
 * never queued twice: a job already waiting or running (from an earlier, interrupted `run`) is
 * reattached; a finished one still in Redis gives its result (unless `force`); a failed one is
 * queued again. Events (QueueEvents) keep the view live; a poll of every job's state makes up for
 * events lost while Redis was away, and queues again a job that Redis lost.
 *
 * Ctrl-C (the signal) stops waiting: jobs stay queued and running on the workers, and the next
 * `run` collects them. With failFast, the first failure also removes this run's waiting jobs.
 */
export function queueExecutor(options: QueueExecutorOptions): RunExecutor {
  return async (runs, { failFast, signal, onEvent }) => {
    const entries = new Map<string, Entry>();
    for (const { task: { runId: key }, run } of runs) {
      const entry = entries.get(run.id);
      if (entry) entry.keys.push(key);
      else entries.set(run.id, { run, keys: [key], state: 'queued' });
    }
    if (entries.size === 0) return;

    const connection = options.connection.redis;
    const queue = new Queue<RunJob>(QUEUE_NAME, { connection, prefix: QUEUE_PREFIX });
    const events = new QueueEvents(QUEUE_NAME, { connection, prefix: QUEUE_PREFIX, blockingTimeout: 2000 });
    let connectionTrouble = false;
    const onError = (error: Error) => {
      if (!connectionTrouble) options.log(`queue: ${error.message.split('\n')[0]}; waiting for Redis to come back…`);
      connectionTrouble = true;
    };
    queue.on('error', onError);
    events.on('error', onError);

    let remaining = entries.size;
    let finishedAll: () => void = () => {};
    const allDone = new Promise<void>((resolve) => { finishedAll = resolve; });
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    stop.signal.addEventListener('abort', () => finishedAll(), { once: true });

    const emit = async (entry: Entry, event: (key: string) => Parameters<typeof onEvent>[0]) => {
      for (const key of entry.keys) await onEvent(event(key));
    };
    const start = async (entry: Entry) => {
      if (entry.state !== 'queued') return;
      entry.state = 'started';
      await emit(entry, (key) => ({ type: 'started', runId: key }));
    };
    const end = async (entry: Entry, result: { returnvalue: unknown } | { failedReason: string }) => {
      if (entry.state === 'done' || stop.signal.aborted) return;
      const wasStarted = entry.state === 'started';
      entry.state = 'done'; // before any await: the poll and an event may both report the same end
      remaining--;
      if (!wasStarted) await emit(entry, (key) => ({ type: 'started', runId: key }));
      let failure = 'failedReason' in result ? result.failedReason || 'failed on a worker' : null;
      if (failure === null) {
        try {
          const { outcome } = decodeResult((result as { returnvalue: unknown }).returnvalue, entry.run.config);
          await emit(entry, (key) => ({ type: 'finished', runId: key, outcome }));
        } catch (error) {
          failure = (error as Error).message;
        }
      }
      if (failure !== null) {
        await emit(entry, (key) => ({ type: 'failed', runId: key, message: failure! }));
        if (failFast) {
          await removeWaiting();
          stop.abort();
        }
      }
      if (remaining === 0) finishedAll();
    };
    const removeWaiting = async () => {
      for (const [id, entry] of entries) {
        if (entry.state !== 'queued') continue;
        const job = await queue.getJob(id);
        if (job && (await job.getState()) === 'waiting') await job.remove().catch(() => {});
      }
    };
    const forgetCheckpoint = async (id: string) => {
      const client = new Redis(connection);
      try {
        await client.del(checkpointKey(id));
      } finally {
        client.disconnect();
      }
    };
    const add = (entry: Entry) =>
      queue.add('run', buildJob(entry.run), { jobId: entry.run.id, attempts: 1, removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS } });

    /**
     * Brings an entry up to date with its job; `submit` is the first look, which may queue it.
     * The state is read before the job: a job read first could finish before its state is read,
     * and its stale copy would have no result.
     */
    const follow = async (entry: Entry, submit: boolean) => {
      if (entry.state === 'done') return;
      const id = entry.run.id;
      const state = await queue.getJobState(id);
      const job = state === 'completed' || state === 'failed' ? await queue.getJob(id) : undefined;
      if (state === 'unknown' || ((state === 'completed' || state === 'failed') && !job)) {
        if (!submit) options.log(`queue: job ${id} is gone from Redis (restarted without its data?); queuing it again`);
        await add(entry);
      } else if (state === 'failed' && submit) {
        await job!.remove();
        await add(entry);
      } else if (state === 'completed' && submit && (options.force || !readable(job!.returnvalue, entry))) {
        await job!.remove();
        if (options.force) await forgetCheckpoint(id); // start over, as a local --force does
        await add(entry);
      } else if (state === 'completed') {
        await end(entry, { returnvalue: job!.returnvalue });
      } else if (state === 'failed') {
        await end(entry, { failedReason: job!.failedReason });
      } else if (state === 'active') {
        await start(entry);
      }
    };

    const readable = (value: unknown, entry: Entry) => {
      try {
        decodeResult(value, entry.run.config);
        return true;
      } catch {
        return false; // e.g. left by another mlp-lab version: train it again
      }
    };

    events.on('active', ({ jobId }) => {
      const entry = entries.get(jobId);
      if (entry) void start(entry);
    });
    events.on('progress', ({ jobId, data }) => {
      const entry = entries.get(jobId);
      const progress = fromJson(data) as Partial<ProgressMessage>;
      if (!entry || entry.state === 'done' || typeof progress.iteration !== 'number') return;
      void start(entry).then(() => entry.state === 'started' ? emit(entry, (key) => ({ ...(progress as ProgressMessage), type: 'progress', runId: key })) : undefined);
    });
    const settle = ({ jobId }: { jobId: string }) => {
      const entry = entries.get(jobId);
      if (entry) void follow(entry, false).catch(onError);
    };
    events.on('completed', settle);
    events.on('failed', settle);

    try {
      // Listen before looking, so that nothing that happens after the first look is missed.
      await events.waitUntilReady();
      let reattached = 0;
      for (const [id, entry] of entries) {
        const state = await queue.getJobState(id);
        if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized') reattached++;
        await follow(entry, true);
      }
      if (reattached > 0) options.log(`queue: ${reattached} run${reattached === 1 ? ' was' : 's were'} already queued or running: following them`);
      const pollMs = (options.pollSeconds ?? 2) * 1000;
      while (remaining > 0 && !stop.signal.aborted) {
        await Promise.race([allDone, new Promise((resolve) => setTimeout(resolve, pollMs).unref())]);
        if (remaining === 0 || stop.signal.aborted) break;
        for (const entry of entries.values()) {
          if (entry.state === 'done' || stop.signal.aborted) continue;
          // A command cut off by a lost connection fails; the next poll asks again.
          await follow(entry, false).catch(onError);
        }
        if (connectionTrouble) {
          options.log('queue: connected again');
          connectionTrouble = false;
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      await events.close();
      await queue.close();
    }
  };
}

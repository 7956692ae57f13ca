import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { ResolvedRun } from '../experiment/index.ts';
import type { ProgressMessage, RunTask } from '../run/messages.ts';
import type { RunExecutor } from '../run/run-experiments.ts';
import type { ScheduleOptions } from '../run/schedule.ts';
import { QUEUE_NAME, QUEUE_PREFIX, type QueueConnection } from './connection.ts';
import { checkpointKey, checkRungCheckpoint, offerCheckpoint, writeCheckpointBytes } from './checkpoints.ts';
import { cancelKey } from './manage.ts';
import { buildJob, jobId, type RunJob } from './payload.ts';
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
  /** Its job's id: the run id, with the rung's epoch for a trial trained to a rung (see jobId). */
  id: string;
  /** For a pruned search's trial, the epoch it is trained to (null: to the end); null for any other run. */
  untilEpoch: number | null;
  /** Results folders waiting for this run (usually one). */
  keys: string[];
  /** Their tasks, which say where the run's checkpoint lives in each and whether to continue from it. */
  tasks: RunTask[];
  state: 'queued' | 'started' | 'done';
}

type RunEvent = Parameters<ScheduleOptions['onEvent']>[0];

/**
 * A RunExecutor that trains on remote workers through the BullMQ queue at `connection`, reporting
 * the same events as the local scheduler. Each run is one job whose id is its run id (and for a
 * pruned search's trial trained to a rung, that rung's epoch), so a run is never queued twice: a
 * job already waiting or running (from an earlier, interrupted `run`) is reattached; a finished one
 * still in Redis gives its result (unless `force`); a failed one is queued again.
 *
 * Events (QueueEvents) keep the view live; a poll of every job's state makes up for events lost
 * while Redis was away, and queues again a job that Redis lost.
 *
 * A rung's job answers with the trial's checkpoint there, which is kept in the results store as a
 * local run keeps it, and sent to Redis again with the job of the trial's next rung (see
 * offerCheckpoint): a promoted trial goes on from its rung on whichever worker takes it.
 *
 * Ctrl-C (the signal) stops waiting: jobs stay queued and running on the workers, and the next
 * `run` collects them. With failFast, the first failure also removes this run's waiting jobs.
 */
export function queueExecutor(options: QueueExecutorOptions): RunExecutor {
  return async (runs, schedule) => {
    const entries = new Map<string, Entry>();
    for (const { task, run } of runs) {
      const untilEpoch = run.rung?.untilEpoch ?? null;
      const id = jobId(run.id, untilEpoch);
      const entry = entries.get(id);
      if (entry) {
        entry.keys.push(task.runId);
        entry.tasks.push(task);
      } else entries.set(id, { run, id, untilEpoch, keys: [task.runId], tasks: [task], state: 'queued' });
    }
    if (entries.size === 0) return;
    await new QueuedRuns(entries, options, schedule).follow();
  };
}

/** One `run`'s jobs on the queue, followed from submission to their last event. */
class QueuedRuns {
  private readonly queue: Queue<RunJob>;
  private readonly events: QueueEvents;
  private connectionTrouble = false;
  private remaining: number;
  private finishedAll: () => void = () => {};
  private readonly allDone = new Promise<void>((resolve) => {
    this.finishedAll = resolve;
  });
  private readonly stop = new AbortController();

  constructor(
    private readonly entries: ReadonlyMap<string, Entry>,
    private readonly options: QueueExecutorOptions,
    private readonly schedule: Pick<ScheduleOptions, 'failFast' | 'signal' | 'onEvent'>,
  ) {
    const connection = options.connection.redis;
    this.queue = new Queue<RunJob>(QUEUE_NAME, { connection, prefix: QUEUE_PREFIX });
    this.events = new QueueEvents(QUEUE_NAME, { connection, prefix: QUEUE_PREFIX, blockingTimeout: 2000 });
    this.queue.on('error', this.onError);
    this.events.on('error', this.onError);
    this.remaining = entries.size;
    this.stop.signal.addEventListener('abort', () => this.finishedAll(), { once: true });
  }

  private readonly onError = (error: Error): void => {
    if (!this.connectionTrouble) this.options.log(`queue: ${error.message.split('\n')[0]}; waiting for Redis to come back…`);
    this.connectionTrouble = true;
  };

  /** Submits or reattaches every job, then follows them until all have ended, the signal stops waiting, or failFast fires. */
  async follow(): Promise<void> {
    const onAbort = () => this.stop.abort();
    this.schedule.signal.addEventListener('abort', onAbort, { once: true });
    this.listen();
    try {
      // Listen before looking, so that nothing that happens after the first look is missed.
      await this.events.waitUntilReady();
      let reattached = 0;
      for (const [id, entry] of this.entries) {
        const state = await this.queue.getJobState(id);
        if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized') reattached++;
        await this.update(entry, true);
      }
      if (reattached > 0) this.options.log(`queue: ${reattached} run${reattached === 1 ? ' was' : 's were'} already queued or running: following them`);
      await this.poll();
    } finally {
      this.schedule.signal.removeEventListener('abort', onAbort);
      await this.events.close();
      await this.queue.close();
      this.redisClient?.disconnect();
    }
  }

  private async poll(): Promise<void> {
    const pollMs = (this.options.pollSeconds ?? 2) * 1000;
    while (this.remaining > 0 && !this.stop.signal.aborted) {
      await Promise.race([this.allDone, new Promise((resolve) => setTimeout(resolve, pollMs).unref())]);
      if (this.remaining === 0 || this.stop.signal.aborted) break;
      for (const entry of this.entries.values()) {
        if (entry.state === 'done' || this.stop.signal.aborted) continue;
        // A command cut off by a lost connection fails; the next poll asks again.
        await this.update(entry, false).catch(this.onError);
      }
      if (this.connectionTrouble) {
        this.options.log('queue: connected again');
        this.connectionTrouble = false;
      }
    }
  }

  private listen(): void {
    this.events.on('active', ({ jobId }) => {
      const entry = this.entries.get(jobId);
      if (entry) void this.start(entry);
    });
    this.events.on('progress', ({ jobId, data }) => {
      const entry = this.entries.get(jobId);
      const progress = fromJson(data) as Partial<ProgressMessage>;
      if (!entry || entry.state === 'done' || typeof progress.iteration !== 'number') return;
      void this.start(entry).then(() =>
        entry.state === 'started' ? this.emit(entry, (key) => ({ ...(progress as ProgressMessage), type: 'progress', runId: key })) : undefined,
      );
    });
    const settle = ({ jobId }: { jobId: string }) => {
      const entry = this.entries.get(jobId);
      if (entry) void this.update(entry, false).catch(this.onError);
    };
    this.events.on('completed', settle);
    this.events.on('failed', settle);
  }

  private async emit(entry: Entry, event: (key: string) => RunEvent): Promise<void> {
    for (const key of entry.keys) await this.schedule.onEvent(event(key));
  }

  private async start(entry: Entry): Promise<void> {
    if (entry.state !== 'queued') return;
    entry.state = 'started';
    await this.emit(entry, (key) => ({ type: 'started', runId: key }));
  }

  private async end(entry: Entry, result: { returnvalue: unknown } | { failedReason: string }): Promise<void> {
    if (entry.state === 'done' || this.stop.signal.aborted) return;
    const wasStarted = entry.state === 'started';
    entry.state = 'done'; // before any await: the poll and an event may both report the same end
    if (!wasStarted) await this.emit(entry, (key) => ({ type: 'started', runId: key }));
    let failure = 'failedReason' in result ? result.failedReason || 'failed on a worker' : null;
    if (failure === null) {
      try {
        const { outcome, checkpoint } = decodeEntryResult((result as { returnvalue: unknown }).returnvalue, entry);
        if (checkpoint) {
          // Kept before the rung is recorded, as a local run's worker keeps it: a recorded rung has its checkpoint.
          for (const task of entry.tasks) if (task.checkpoint.file) writeCheckpointBytes(task.checkpoint.file, checkpoint);
        }
        await this.emit(entry, (key) => ({ type: 'finished', runId: key, outcome }));
      } catch (error) {
        failure = (error as Error).message;
      }
    }
    if (failure !== null) {
      const message = failure;
      await this.emit(entry, (key) => ({ type: 'failed', runId: key, message }));
      if (this.schedule.failFast) {
        await this.removeWaiting();
        this.stop.abort();
      }
    }
    // Counted once its events are handled (its record written): the command ends only after every record is.
    this.remaining--;
    if (this.remaining === 0) this.finishedAll();
  }

  private async removeWaiting(): Promise<void> {
    for (const [id, entry] of this.entries) {
      if (entry.state !== 'queued') continue;
      const job = await this.queue.getJob(id);
      if (job && (await job.getState()) === 'waiting') await job.remove().catch(() => {});
    }
  }

  private redisClient: Redis | null = null;

  /** A client of its own for the cancellation marks (see manage.ts) and the checkpoints, opened when first needed. */
  private redis(): Redis {
    if (!this.redisClient) {
      this.redisClient = new Redis(this.options.connection.redis);
      this.redisClient.on('error', () => {}); // the queue's own client reports connection trouble
    }
    return this.redisClient;
  }

  private async add(entry: Entry): Promise<void> {
    const task = entry.tasks[0]!;
    // Started over, as a local --force does; a trial promoted in this `run` (resume) goes on from its rung.
    if (!task.checkpoint.resume) await this.redis().del(checkpointKey(entry.run.id));
    else if (entry.run.rung && task.checkpoint.file) await offerCheckpoint(this.redis(), entry.run.id, task.checkpoint.file, entry.untilEpoch);
    await this.queue.add('run', buildJob(entry.run), {
      jobId: entry.id,
      attempts: 1,
      removeOnComplete: { age: KEEP_SECONDS },
      removeOnFail: { age: KEEP_SECONDS },
    });
  }

  /**
   * Brings an entry up to date with its job; `submit` is the first look, which may queue it.
   * The state is read before the job: a job read first could finish before its state is read,
   * and its stale copy would have no result.
   */
  private async update(entry: Entry, submit: boolean): Promise<void> {
    if (entry.state === 'done') return;
    const id = entry.id;
    const state = await this.queue.getJobState(id);
    const job = state === 'completed' || state === 'failed' ? await this.queue.getJob(id) : undefined;
    if (state === 'unknown' && !submit && (await this.redis().get(cancelKey(id))) !== null) {
      await this.end(entry, { failedReason: 'cancelled with mlp-lab queue --cancel' });
    } else if (state === 'unknown' || ((state === 'completed' || state === 'failed') && !job)) {
      if (!submit) this.options.log(`queue: job ${id} is gone from Redis (restarted without its data?); queuing it again`);
      // Queued anew by this run: an earlier cancellation no longer applies.
      if (submit) await this.redis().del(cancelKey(id));
      await this.add(entry);
    } else if (state === 'failed' && submit) {
      await job!.remove();
      await this.add(entry);
    } else if (state === 'completed' && submit && (this.options.force || !readable(job!.returnvalue, entry))) {
      await job!.remove(); // with --force, add() also forgets its checkpoint: it starts over, as a local --force does
      await this.add(entry);
    } else if (state === 'completed') {
      await this.end(entry, { returnvalue: job!.returnvalue });
    } else if (state === 'failed') {
      await this.end(entry, { failedReason: job!.failedReason });
    } else if (state === 'active') {
      await this.start(entry);
    }
  }
}

function readable(value: unknown, entry: Entry): boolean {
  try {
    decodeEntryResult(value, entry);
    return true;
  } catch {
    return false; // e.g. left by another mlp-lab version: train it again
  }
}

/**
 * A job's result, checked: of the job's rung (a stale or misfiled result must not stand for another
 * rung's), or of a run that ended before it (diverged, early-stopped), and at a rung, with the
 * run's checkpoint at that rung's end.
 */
function decodeEntryResult(value: unknown, entry: Entry): ReturnType<typeof decodeResult> {
  const decoded = decodeResult(value, entry.run.config);
  const { outcome, checkpoint } = decoded;
  const epoch = outcome.rung?.epoch ?? null;
  const endedBefore = epoch === null && entry.untilEpoch !== null && (outcome.status === 'diverged' || outcome.status === 'early-stopped');
  if (epoch !== entry.untilEpoch && !endedBefore) {
    const at = (e: number | null) => (e === null ? 'the end' : `epoch ${e}`);
    throw new Error(`malformed result from the queue: job ${entry.id} trains to ${at(entry.untilEpoch)}, its result is at ${at(epoch)}`);
  }
  if (checkpoint) checkRungCheckpoint(checkpoint, entry.run.id, { epoch: epoch!, iterations: outcome.iterations });
  return decoded;
}

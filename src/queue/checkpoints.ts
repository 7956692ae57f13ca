import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { QUEUE_NAME, QUEUE_PREFIX } from './connection.ts';
import { writeFileAtomic } from '../store/atomic.ts';
import { CheckpointError, decodeCheckpoint } from '../store/checkpoint.ts';

/** Checkpoints stay in Redis this long after their last write (a run abandoned for good expires). */
const KEEP_SECONDS = 7 * 24 * 3600;
/** How often a run's checkpoint file is looked at for a new version to send. */
const WATCH_MS = 1000;

/** The Redis key of a queued run's latest checkpoint. */
export function checkpointKey(runId: string): string {
  return `${QUEUE_PREFIX}:${QUEUE_NAME}:checkpoint:${runId}`;
}

/**
 * Carries a queued run's checkpoints between its local file, where the worker process writes and
 * reads them as in a local run, and Redis, where the next worker finds them if this one dies: the
 * run then continues from its last checkpoint instead of starting over. The checkpoint itself is
 * checked when read (checksum, run id, mlp-lab version and kernels), as for a local run.
 */
export class CheckpointRelay {
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-worker-'));

  constructor(private readonly redis: Redis) {}

  /** Where the worker process keeps the run's checkpoint on this machine. */
  fileFor(runId: string): string {
    return path.join(this.dir, `${runId}.ckpt`);
  }

  /** Puts the run's checkpoint from Redis, if there is one, into its local file; true when it did. */
  async fetch(runId: string): Promise<boolean> {
    const bytes = await this.redis.getBuffer(checkpointKey(runId));
    if (!bytes) return false;
    // All or nothing: a checkpoint cut by a full disk would be read as the run's state.
    writeFileAtomic(this.fileFor(runId), bytes, { durable: false });
    return true;
  }

  /**
   * Sends each new version of the run's checkpoint file to Redis while the run goes on; the
   * returned function stops watching and sends the last version (a stopped run's final checkpoint).
   */
  watch(runId: string, onError: (error: Error) => void): () => Promise<void> {
    const file = this.fileFor(runId);
    let sent = statVersion(file);
    let sending: Promise<void> = Promise.resolve();
    const send = () => {
      const version = statVersion(file);
      if (version === null || version === sent) return sending;
      sent = version;
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch {
        return sending; // replaced between the stat and the read: the next look sends it
      }
      sending = sending.then(() => this.redis.set(checkpointKey(runId), bytes, 'EX', KEEP_SECONDS)).then(() => {}, onError);
      return sending;
    };
    const timer = setInterval(send, WATCH_MS);
    return async () => {
      clearInterval(timer);
      await send();
    };
  }

  /** The bytes of the run's local checkpoint file (at a rung, the state there), or null when there is none. */
  take(runId: string): Uint8Array | null {
    try {
      return readFileSync(this.fileFor(runId));
    } catch {
      return null;
    }
  }

  /** Forgets the run's checkpoint, here and in Redis (the run is finished or failed, or at a rung: its checkpoint went back with the result). */
  async drop(runId: string): Promise<void> {
    rmSync(this.fileFor(runId), { force: true });
    await this.redis.del(checkpointKey(runId));
  }

  /** Removes this worker's local checkpoint folder. */
  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Size and modification time: a new checkpoint is a new file (written atomically), so both change. */
function statVersion(file: string): string | null {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return null;
  }
}

/**
 * Checks that a rung's checkpoint, as a worker sent it back, is the run's state at the end of
 * epoch `epoch` after `iterations` iterations: intact, of this run, at that point. Throws an Error
 * saying what is wrong.
 */
export function checkRungCheckpoint(bytes: Uint8Array, runId: string, rung: { epoch: number; iterations: number }): void {
  let state: ReturnType<typeof decodeCheckpoint>;
  try {
    state = decodeCheckpoint(bytes);
  } catch (error) {
    if (error instanceof CheckpointError) throw new Error(`malformed result from the queue: the rung's checkpoint is unusable: ${error.message}`);
    throw error;
  }
  const s = state.state;
  if (state.origin.runId !== runId || s.iteration !== rung.iterations || s.epoch !== rung.epoch + 1 || s.position !== 0) {
    throw new Error(
      `malformed result from the queue: the rung's checkpoint is of run ${state.origin.runId} at iteration ${s.iteration}, not of ${runId} at the end of epoch ${rung.epoch} (iteration ${rung.iterations})`,
    );
  }
}

/** Writes checkpoint bytes as the run's checkpoint file in the results store, as a local run leaves it (atomically). */
export function writeCheckpointBytes(file: string, bytes: Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, bytes);
}

/**
 * Before a pruned search's trial is queued to its next rung: puts the checkpoint it stopped at
 * (the results store's file) in Redis, where the worker that takes the job looks, unless Redis
 * already holds one as far along (an earlier attempt's progress). Any checkpoint of the run is a
 * point on the same trajectory, so the further one only saves epochs; the worker trains again
 * from the start to a rung when a checkpoint is past it. True when it sent one.
 */
export async function offerCheckpoint(redis: Redis, runId: string, file: string, untilEpoch: number | null): Promise<boolean> {
  const local = pointOf(readOrNull(file), runId);
  if (local === null) return false;
  const queued = pointOf(await redis.getBuffer(checkpointKey(runId)), runId);
  if (queued !== null && queued.iteration >= local.iteration && !pastRung(queued, untilEpoch)) return false;
  await redis.set(checkpointKey(runId), local.bytes, 'EX', KEEP_SECONDS);
  return true;
}

function readOrNull(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch {
    return null;
  }
}

interface Point {
  bytes: Buffer;
  iteration: number;
  epoch: number;
  position: number;
}

/** Where a checkpoint's run stands, or null when absent, unreadable or another run's. */
function pointOf(bytes: Buffer | null, runId: string): Point | null {
  if (!bytes) return null;
  try {
    const { origin, state } = decodeCheckpoint(bytes);
    return origin.runId === runId ? { bytes, iteration: state.iteration, epoch: state.epoch, position: state.position } : null;
  } catch {
    return null;
  }
}

/** Past the end of epoch `untilEpoch` (at its end, a run's state is at the next epoch's start). */
function pastRung(point: Point, untilEpoch: number | null): boolean {
  return untilEpoch !== null && (point.epoch > untilEpoch + 1 || (point.epoch === untilEpoch + 1 && point.position > 0));
}

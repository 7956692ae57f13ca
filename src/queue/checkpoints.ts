import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { QUEUE_NAME, QUEUE_PREFIX } from './connection.ts';
import { writeFileAtomic } from '../store/atomic.ts';

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

  /** Forgets the run's checkpoint, here and in Redis (the run is finished or failed). */
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

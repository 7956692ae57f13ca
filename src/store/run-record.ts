import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rm, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { HistoryRecord, RunStatus } from '../core/train.ts';
import { writeFileAtomic } from './atomic.ts';
import { encodeSafetensors, type NamedTensor } from './safetensors.ts';

/** metrics.json: a run's final metrics and how it was produced. Its presence marks a finished run. */
export interface RunMetrics {
  run_id: string;
  label: string;
  status: Exclude<RunStatus, 'stopped'>;
  /** With early stopping: the history record whose weights were kept. */
  best_epoch?: number | null;
  /** With early stopping: that record's iteration (records may fall within an epoch). */
  best_iteration?: number | null;
  message: string | null;
  train_cost: number | null;
  train_accuracy: number | null;
  test_cost: number | null;
  test_accuracy: number | null;
  validation_cost: number | null;
  validation_accuracy: number | null;
  iterations: number;
  seconds: number;
  seed: number;
  backend: string;
  mlp_lab_version: string;
  node_version: string;
  /** The experiment file's last git commit, with `+dirty` when it has uncommitted changes; null outside git. */
  experiment_commit: string | null;
  finished_at: string;
}

/** error.json: why a run failed (an exception or a crashed worker). Not a finished run: a rerun retries it. */
export interface RunFailure {
  run_id: string;
  label: string;
  status: 'failed';
  message: string;
  failed_at: string;
}

export const HISTORY_COLUMNS = [
  'iteration',
  'epoch',
  'train_cost',
  'test_cost',
  'train_accuracy',
  'test_accuracy',
  'validation_cost',
  'validation_accuracy',
  'seconds',
] as const;

/** The column history.csv adds, last, for a run with a learning-rate schedule. */
export const LEARNING_RATE_COLUMN = 'learning_rate';

/**
 * Writes a finished run's folder as one unit: config.json, history.csv, weights.safetensors and
 * metrics.json go into a new folder beside it (`.<id>.new-…`), flushed, which then takes the
 * folder's place. An existing record (a --force rerun, or a failed run's error.json) is first
 * renamed aside (`.<id>.old-…`) and deleted after the swap, so a kill at any moment leaves the old
 * record or the new one, never a mix; recoverRunFolders finishes a swap a kill interrupted.
 *
 * The new folder is this writer's alone until it is renamed into place (a reader or a recovery
 * never takes a `.new-` folder for a record), so its files are written in place rather than each
 * through a temporary, and flushed together, off the main thread: the file system commits them at
 * once, and the next run trains meanwhile. Settles once the record is on disk.
 */
export async function writeRunRecord(
  dir: string,
  record: {
    config: unknown;
    history: readonly HistoryRecord[];
    weights: readonly NamedTensor[];
    metrics: RunMetrics;
    weightsMetadata: Record<string, string>;
    /** The run has a learning-rate schedule: history.csv gets a learning_rate column. */
    scheduled?: boolean;
  },
): Promise<void> {
  const staging = besideName(dir, 'new');
  mkdirSync(staging, { recursive: true });
  try {
    await writeFlushed(staging, [
      ['config.json', `${JSON.stringify(record.config, null, 2)}\n`],
      ['history.csv', historyCsv(record.history, record.scheduled ?? false)],
      ['weights.safetensors', encodeSafetensors(record.weights, record.weightsMetadata)],
      ['metrics.json', `${JSON.stringify(record.metrics, null, 2)}\n`],
    ]);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const runs = path.dirname(dir);
  if (!existsSync(dir)) {
    renameSync(staging, dir);
    await flush(runs);
  } else {
    const old = besideName(dir, 'old');
    renameSync(dir, old);
    renameSync(staging, dir);
    await flush(runs);
    // Not flushed, and off the main thread: a lost deletion leaves an `.old-` folder, which recoverRunFolders deletes.
    await new Promise<void>((resolve, reject) => rm(old, { recursive: true, force: true }, (error) => (error ? reject(error) : resolve())));
  }
}

/** Writes new files into `dir` and flushes them, and then `dir`'s entries, to disk. */
async function writeFlushed(dir: string, files: readonly [string, string | Uint8Array][]): Promise<void> {
  const descriptors: number[] = [];
  try {
    for (const [name, data] of files) {
      const file = path.join(dir, name);
      const fd = openSync(file, 'wx');
      descriptors.push(fd);
      try {
        writeFileSync(fd, data);
      } catch (error) {
        // A write to a descriptor (ENOSPC, EIO) names no file: name the one that was not written.
        const e = error as NodeJS.ErrnoException;
        throw Object.assign(new Error(`${e.message}, writing '${file}'`), { code: e.code, syscall: e.syscall, errno: e.errno, path: file });
      }
    }
    // Each on a thread of the pool: the flushes wait for the disk together, not one after another.
    await Promise.all(descriptors.map((fd) => fsyncAsync(fd)));
  } finally {
    for (const fd of descriptors) closeSync(fd);
  }
  await flush(dir);
}

/** Flushes a folder's entries (new files, a rename) to disk, off the main thread. */
async function flush(dir: string): Promise<void> {
  const fd = openSync(dir, 'r');
  try {
    await fsyncAsync(fd);
  } finally {
    closeSync(fd);
  }
}

const fsyncAsync = (fd: number): Promise<void> => new Promise((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));

/**
 * Records a failed run (config.json and error.json, no metrics.json). A finished record is left as
 * it is (a failed --force rerun loses nothing); returns false then.
 */
export function writeRunFailure(dir: string, config: unknown, failure: RunFailure): boolean {
  if (existsSync(path.join(dir, 'metrics.json'))) return false;
  writeFileAtomic(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileAtomic(path.join(dir, 'error.json'), `${JSON.stringify(failure, null, 2)}\n`);
  return true;
}

/**
 * Puts the runs folder of an experiment back in order after a kill: finishes or undoes a record
 * swap caught between its two renames (keeping whichever record is whole, the new one first) and
 * deletes unfinished new records. Call with the experiment's lock held.
 */
export function recoverRunFolders(runsDir: string): void {
  if (!existsSync(runsDir)) return;
  const entries = readdirSync(runsDir);
  const beside = (kind: 'new' | 'old') => entries.map((e) => SIDE.exec(e)).filter((m) => m !== null && m[2] === kind) as RegExpExecArray[];
  for (const [name, id] of beside('old')) {
    const target = path.join(runsDir, id!);
    if (!existsSync(target)) {
      const whole = beside('new').find(([n, i]) => i === id && existsSync(path.join(runsDir, n, 'metrics.json')));
      renameSync(path.join(runsDir, whole ? whole[0] : name!), target);
    }
  }
  for (const entry of readdirSync(runsDir)) {
    if (SIDE.test(entry)) rmSync(path.join(runsDir, entry), { recursive: true, force: true });
  }
}

const SIDE = /^\.(.+)\.(new|old)-[0-9a-f]+$/;

function besideName(dir: string, kind: 'new' | 'old'): string {
  return path.join(path.dirname(dir), `.${path.basename(dir)}.${kind}-${randomBytes(4).toString('hex')}`);
}

/**
 * The run's metrics, its failure, or neither (never run, or interrupted). A metrics.json or
 * error.json that cannot be read as a record (truncated, merge-conflicted, edited by hand) counts
 * as a failure that says so: the run is not finished, and the next `run` retrains it.
 */
export function readRunState(dir: string): { metrics: RunMetrics } | { failure: RunFailure } | null {
  for (const name of ['metrics.json', 'error.json'] as const) {
    const file = path.join(dir, name);
    if (!existsSync(file)) continue;
    let record: unknown;
    try {
      record = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch (error) {
      return { failure: damaged(dir, name, (error as Error).message) };
    }
    if (typeof record !== 'object' || record === null || typeof (record as { status?: unknown }).status !== 'string') {
      return { failure: damaged(dir, name, 'it holds no run record') };
    }
    return name === 'metrics.json' ? { metrics: record as RunMetrics } : { failure: record as RunFailure };
  }
  return null;
}

function damaged(dir: string, name: string, reason: string): RunFailure {
  return {
    run_id: path.basename(dir),
    label: '',
    status: 'failed',
    message: `${path.join(dir, name)} is damaged (${reason.split('\n')[0]}); the next run retrains the run`,
    failed_at: '',
  };
}

/**
 * history.csv: one row per record; validation columns are empty when there is no validation set.
 * With `scheduled`, a last column holds the learning rate of each record's latest update (only
 * then, so that the history of every run with a constant rate is what it was before schedules).
 */
export function historyCsv(history: readonly HistoryRecord[], scheduled = false): string {
  return stringify(
    history.map((h) => [
      h.iteration,
      h.epoch,
      h.trainCost,
      h.testCost,
      h.trainAccuracy,
      h.testAccuracy,
      h.validationCost ?? '',
      h.validationAccuracy ?? '',
      round(h.seconds, 3),
      ...(scheduled ? [h.learningRate] : []),
    ]),
    { header: true, columns: [...HISTORY_COLUMNS, ...(scheduled ? [LEARNING_RATE_COLUMN] : [])] },
  );
}

function round(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

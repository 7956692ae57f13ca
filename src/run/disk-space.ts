import { statfsSync } from 'node:fs';
import type { RunConfig } from '../experiment/run-config.ts';

/** The results folder cannot hold what the runs will write; found before training. */
export class NotEnoughSpace extends Error {
  constructor(
    readonly dir: string,
    readonly needed: number,
    readonly free: number,
  ) {
    super(`not enough free space in ${dir}: the runs need about ${megabytes(needed)} (records and checkpoints), ${megabytes(free)} is free`);
  }
}

/**
 * Throws NotEnoughSpace when the file system of `out` has less room than the records of `runs`
 * and the checkpoints of `jobs` runs in flight will take (twice, since each is replaced by writing
 * a new copy first). Only what can be known: other writers may fill the disk later, and a run that
 * then cannot write is recorded as failed.
 */
export function checkFreeSpace(out: string, runs: readonly RunConfig[], jobs: number): void {
  if (runs.length === 0) return;
  const { bavail, bsize } = statfsSync(out);
  const free = bavail * bsize;
  const records = runs.reduce((sum, run) => sum + recordBytes(run), 0);
  const checkpoints = [...runs]
    .map(checkpointBytes)
    .sort((a, b) => b - a)
    .slice(0, jobs)
    .reduce((a, b) => a + b, 0);
  const needed = records + 2 * checkpoints + 1024 * 1024;
  if (free < needed) throw new NotEnoughSpace(out, needed, free);
}

function parameters(run: RunConfig): number {
  return run.layers.slice(1).reduce((sum, n, i) => sum + (run.layers[i]! + 1) * n, 0);
}

/** weights.safetensors (float32) plus the history and json files, with room to spare. */
function recordBytes(run: RunConfig): number {
  return 4 * parameters(run) + 64 * 1024;
}

/** Parameters, optimizer buffers, best weights and the shuffled order, all 4 bytes a value. */
function checkpointBytes(run: RunConfig): number {
  const buffers = run.optimizer.type === 'adam' ? 2 : run.optimizer.type === 'momentum' ? 1 : 0;
  const copies = 1 + buffers + (run.early_stopping ? 1 : 0);
  const rows = run.dataset.train_limit ?? 60_000;
  return 4 * (copies * parameters(run) + rows) + 64 * 1024;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

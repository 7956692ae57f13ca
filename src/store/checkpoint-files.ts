import { existsSync, readFileSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, type Checkpoint, type CheckpointOrigin } from './checkpoint.ts';

/** Writes a checkpoint atomically: a reader (or a resumed run) sees the previous one or this one, whole. */
export function writeCheckpointFile(file: string, checkpoint: Checkpoint): void {
  writeFileAtomic(file, encodeCheckpoint(checkpoint));
}

export type CheckpointRead =
  | { checkpoint: Checkpoint }
  /** The checkpoint exists but must not be used; why, in a phrase for the user. */
  | { ignored: string }
  | null;

/**
 * The checkpoint in `file` if it can be trusted to continue the run bit-identically: intact, of
 * this run, and written by the same code with the same kernels as `expected`. Otherwise the reason
 * it is ignored (the run then starts over), or null when there is none.
 */
export function readCheckpointFile(file: string, expected: CheckpointOrigin): CheckpointRead {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { ignored: `its checkpoint cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  let checkpoint: Checkpoint;
  try {
    checkpoint = decodeCheckpoint(bytes);
  } catch (error) {
    if (error instanceof CheckpointError) return { ignored: `its checkpoint is unusable: ${error.message}` };
    throw error;
  }
  const found = checkpoint.origin;
  if (found.runId !== expected.runId) return { ignored: `its checkpoint belongs to run ${found.runId}` };
  if (found.mlpLabVersion !== expected.mlpLabVersion) {
    return {
      ignored: `its checkpoint was written by mlp-lab ${found.mlpLabVersion}, this is ${expected.mlpLabVersion}; started over so that the result stays bit-identical`,
    };
  }
  if (found.kernels !== expected.kernels) {
    return {
      ignored: `its checkpoint was computed with ${found.kernels} kernels, these are ${expected.kernels}; started over so that the result stays bit-identical`,
    };
  }
  return { checkpoint };
}

/** Deletes a run's checkpoint, and the checkpoints folder once it is empty. */
export function deleteCheckpointFile(file: string): void {
  rmSync(file, { force: true });
  const dir = path.dirname(file);
  try {
    if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    // Another run wrote a checkpoint meanwhile: the folder stays.
  }
}

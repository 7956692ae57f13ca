import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { removeDeadTemporaries } from './atomic.ts';
import { checkpointsDir, experimentDir, runsDir } from './layout.ts';
import { recoverRunFolders } from './run-record.ts';

/**
 * Puts an experiment's results folder back in order after a kill: finishes or undoes an
 * interrupted record swap, and deletes the temporary files of writes that a killed process left
 * half done (a checkpoint, a results table, a failure record). Call with the experiment's lock
 * held, before any of its runs starts.
 */
export function recoverExperimentFolder(out: string, name: string): void {
  const runs = runsDir(out, name);
  recoverRunFolders(runs);
  removeDeadTemporaries(experimentDir(out, name));
  removeDeadTemporaries(checkpointsDir(out, name));
  if (statSync(runs, { throwIfNoEntry: false })?.isDirectory() !== true) return;
  for (const entry of readdirSync(runs, { withFileTypes: true })) {
    if (entry.isDirectory()) removeDeadTemporaries(path.join(runs, entry.name));
  }
}

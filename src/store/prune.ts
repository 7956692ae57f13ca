import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { checkpointsDir, runsDir } from './layout.ts';
import { readRunState } from './run-record.ts';

/** A run folder or checkpoint of an experiment that its plan no longer has. */
export interface Unplanned {
  /** The run folder or checkpoint file. */
  path: string;
  runId: string;
  kind: 'run' | 'checkpoint';
  /** For a run folder: what it holds. */
  status: 'finished' | 'failed' | 'incomplete' | null;
}

/**
 * The run folders and checkpoints under `<out>/<name>/` whose run id is not in `planned`, in
 * order: what `mlp-lab prune` removes. Planned runs are never listed, finished or not.
 */
export function unplannedEntries(out: string, name: string, planned: ReadonlySet<string>): Unplanned[] {
  const found: Unplanned[] = [];
  const runs = runsDir(out, name);
  if (existsSync(runs)) {
    for (const entry of readdirSync(runs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isDirectory() || planned.has(entry.name)) continue;
      const state = readRunState(path.join(runs, entry.name));
      found.push({
        path: path.join(runs, entry.name),
        runId: entry.name,
        kind: 'run',
        status: state === null ? 'incomplete' : 'metrics' in state ? 'finished' : 'failed',
      });
    }
  }
  const checkpoints = checkpointsDir(out, name);
  if (existsSync(checkpoints)) {
    for (const file of readdirSync(checkpoints).sort()) {
      const runId = file.replace(/\.ckpt$/, '');
      if (!file.endsWith('.ckpt') || planned.has(runId)) continue;
      found.push({ path: path.join(checkpoints, file), runId, kind: 'checkpoint', status: null });
    }
  }
  return found;
}

/** Removes what unplannedEntries listed. */
export function removeEntries(entries: readonly Unplanned[]): void {
  for (const entry of entries) rmSync(entry.path, { recursive: true, force: true });
}

import { checkpointInterval, toDatasetSpec, toTrainConfig } from '../experiment/run-config.ts';
import { deleteCheckpointFile } from '../store/checkpoint-files.ts';
import { checkpointFile, runDir } from '../store/layout.ts';
import { readRunState } from '../store/run-record.ts';
import { readRungs, rungFile } from '../store/rung-record.ts';
import type { RunTask } from './messages.ts';
import { experimentCommit } from './provenance.ts';
import type { RunToRecord } from './record-run.ts';
import type { ExperimentRuns } from './run-listener.ts';

/** A run to train in this invocation, keyed by its folder. */
export interface PendingRun<E extends ExperimentRuns> extends RunToRecord {
  checkpoint: string;
  /** Where its metrics at a pruner's rung go (see rung-record.ts). */
  rungs: string;
  experiment: E;
  /** Its planned work (FLOPs), for ordering and progress. */
  work: number;
}

/**
 * The selected runs that need training, by folder (the same run id can be in two experiments):
 * those without a finished record in the store under `out`, or all of them with `force`. Also
 * returns how many were planned and how many are reused as they are.
 */
export function pendingRuns<E extends ExperimentRuns>(
  experiments: readonly E[],
  out: string,
  force: boolean,
): { pending: Map<string, PendingRun<E>>; planned: number; reused: number; reusedDirs: Set<string> } {
  const pending = new Map<string, PendingRun<E>>();
  const reusedDirs = new Set<string>();
  let planned = 0;
  let reused = 0;
  for (const experiment of experiments) {
    const commit = experimentCommit(experiment.file);
    for (const run of experiment.selected) {
      planned++;
      const dir = runDir(out, experiment.name, run.id);
      const checkpoint = checkpointFile(out, experiment.name, run.id);
      // With --force nothing is deleted up front: the new record replaces the old one as a unit.
      const state = force ? null : readRunState(dir);
      if (state && 'metrics' in state) {
        reused++;
        reusedDirs.add(dir);
        deleteCheckpointFile(checkpoint); // left by a kill between writing the record and deleting it
        continue;
      }
      const rungs = rungFile(out, experiment.name, run.id);
      // A trial stopped at the rung it is planned to now: it waits for the rest of its bracket (or was pruned there).
      const until = run.rung?.untilEpoch ?? null;
      if (until !== null && !force && readRungs(rungs).has(until)) {
        reused++;
        reusedDirs.add(dir);
        continue;
      }
      if (pending.has(dir)) continue; // the same run twice in one invocation trains once
      pending.set(dir, { run, dir, checkpoint, rungs, experiment, commit, work: run.work.flops });
    }
  }
  return { pending, planned, reused, reusedDirs };
}

/**
 * The worker tasks of the pending runs, longest first (by planned work; the sort is stable, so
 * ties keep the file's order): started in file order, a long run left for last keeps one core
 * busy alone while the others idle.
 */
export function longestFirst<E extends ExperimentRuns>(pending: ReadonlyMap<string, PendingRun<E>>, force: boolean): RunTask[] {
  return [...pending.entries()]
    .sort(([, a], [, b]) => b.work - a.work)
    .map(([dir, { run, checkpoint }]) => {
      const interval = checkpointInterval(run.config);
      const until = run.rung?.untilEpoch ?? null;
      return {
        runId: dir,
        id: run.id,
        config: toTrainConfig(run.config),
        dataset: toDatasetSpec(run.config.dataset),
        backend: run.config.backend,
        // A pruned search's trial keeps a checkpoint whatever `checkpoint:` says: its next rung goes on from it.
        checkpoint: { file: interval || run.rung ? checkpoint : null, interval, resume: !force },
        ...(until !== null ? { untilEpoch: until } : {}),
      };
    });
}

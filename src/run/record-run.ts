import type { ResolvedRun } from '../experiment/index.ts';
import { recordedConfig } from '../experiment/run-config.ts';
import { writeRunFailure, writeRunRecord } from '../store/run-record.ts';
import type { RunOutcome } from './messages.ts';
import { MLP_LAB_VERSION } from './provenance.ts';

/** A run this invocation trains: where it is recorded, and the commit of its experiment file. */
export interface RunToRecord {
  run: ResolvedRun;
  dir: string;
  commit: string | null;
}

/** Writes a finished run's record (config, history, weights, metrics) into its folder, as a unit; settles once it is on disk. */
export async function recordRun({ run, dir, commit }: RunToRecord, outcome: RunOutcome & { status: Exclude<RunOutcome['status'], 'stopped'> }): Promise<void> {
  const f = outcome.final;
  await writeRunRecord(dir, {
    config: recordedConfig(run.config, dir),
    history: outcome.history,
    scheduled: run.config.lr_schedule !== undefined,
    weights: outcome.weights,
    weightsMetadata: {
      layers: JSON.stringify(run.config.layers),
      activations: JSON.stringify(run.config.activations),
      layout: 'W<l> is n_in × n_out (forward: A = g(X @ W + b)); b<l> is n_out',
    },
    metrics: {
      run_id: run.id,
      label: run.label,
      status: outcome.status,
      message: outcome.message,
      ...(run.config.early_stopping ? { best_epoch: outcome.best?.epoch ?? null, best_iteration: outcome.best?.iteration ?? null } : {}),
      train_cost: f.trainCost,
      train_accuracy: f.trainAccuracy,
      test_cost: f.testCost,
      test_accuracy: f.testAccuracy,
      validation_cost: f.validationCost,
      validation_accuracy: f.validationAccuracy,
      iterations: outcome.iterations,
      seconds: outcome.seconds,
      seed: run.config.seed,
      backend: outcome.backend,
      mlp_lab_version: MLP_LAB_VERSION,
      node_version: process.version,
      experiment_commit: commit,
      finished_at: new Date().toISOString(),
    },
  });
}

/**
 * Records a failed run's error.json. Returns the message to show: an earlier record that the
 * failure leaves in place, or an error.json that could not be written, is said in it.
 */
export function recordFailure({ run, dir }: RunToRecord, message: string): string {
  try {
    const replaced = writeRunFailure(dir, recordedConfig(run.config, dir), {
      run_id: run.id,
      label: run.label,
      status: 'failed',
      message,
      failed_at: new Date().toISOString(),
    });
    return replaced ? message : `${message}; the earlier record is kept`;
  } catch (error) {
    return `${message}; its error.json could not be written either (${(error as Error).message})`;
  }
}

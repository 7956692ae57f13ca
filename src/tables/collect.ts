import type { RunConfig } from '../experiment/run-config.ts';
import { readRunState } from '../store/run-record.ts';
import { readRungs } from '../store/rung-record.ts';
import type { ResultRow, Scalar } from './result-row.ts';

/** What the results tables need to know of a planned run. */
export interface PlannedRun {
  id: string;
  label: string;
  variant: string | null;
  varying: Record<string, Scalar>;
  config: RunConfig;
  /** A search's trial a pruner stopped: its rung record (store/rung-record.ts) and the rung's epoch. */
  pruned?: { file: string; epoch: number } | null;
}

/**
 * The results tables' rows: every planned run in plan order, with its outcome read from its
 * folder in the store (`runDir(run)`); runs not finished yet have no outcome.
 */
export function collectResults(runs: readonly PlannedRun[], runDir: (run: PlannedRun) => string): ResultRow[] {
  return runs.map((run) => {
    const state = readRunState(runDir(run));
    const c = run.config;
    const row: ResultRow = {
      runId: run.id,
      label: run.label,
      model: run.variant,
      varying: run.varying,
      layers: c.layers,
      activations: c.activations,
      learningRate: c.learning_rate,
      batchSize: c.batch_size,
      epochs: c.epochs,
      init: c.init.scheme,
      optimizer: c.optimizer.type,
      seed: c.seed,
      outcome: null,
    };
    if (state && 'metrics' in state) {
      const m = state.metrics;
      row.outcome = {
        status: m.status,
        trainCost: m.train_cost,
        testCost: m.test_cost,
        trainAccuracy: m.train_accuracy,
        testAccuracy: m.test_accuracy,
        seconds: m.seconds,
      };
    } else if (!state && run.pruned) {
      const rung = readRungs(run.pruned.file).get(run.pruned.epoch);
      if (rung) {
        row.outcome = {
          status: 'pruned',
          trainCost: rung.train_cost,
          testCost: rung.test_cost,
          trainAccuracy: rung.train_accuracy,
          testAccuracy: rung.test_accuracy,
          seconds: rung.seconds,
        };
      }
    } else if (state) {
      row.outcome = { status: 'failed', trainCost: null, testCost: null, trainAccuracy: null, testAccuracy: null, seconds: null };
    }
    return row;
  });
}

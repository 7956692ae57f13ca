import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FinalMetrics } from '../core/train.ts';
import { writeFileAtomic } from './atomic.ts';
import { experimentDir } from './layout.ts';

/** A trial's metrics at a pruner's rung: trained to the end of `epoch`, its checkpoint kept to go on from. */
export interface RungMetrics {
  epoch: number;
  iterations: number;
  train_cost: number | null;
  train_accuracy: number | null;
  test_cost: number | null;
  test_accuracy: number | null;
  validation_cost: number | null;
  validation_accuracy: number | null;
  seconds: number;
}

/**
 * rungs/<run id>.json: a run's metrics at each rung it stopped at, by epoch. Not a finished run
 * (that is runs/<id>/metrics.json): a pruned trial is a run stopped at its last rung, which a later
 * search or grid asking for the same run continues from its checkpoint.
 */
export function rungFile(out: string, experiment: string, id: string): string {
  return path.join(experimentDir(out, experiment), 'rungs', `${id}.json`);
}

/** The rungs recorded for a run, by epoch; empty when none (or the file is damaged: the rungs are then trained again). */
export function readRungs(file: string): Map<number, RungMetrics> {
  if (!existsSync(file)) return new Map();
  try {
    const rungs = JSON.parse(readFileSync(file, 'utf8')) as { rungs: RungMetrics[] };
    return new Map(rungs.rungs.map((r) => [r.epoch, r]));
  } catch {
    return new Map();
  }
}

/** Adds (or replaces) a rung's metrics, the file replaced as a unit. */
export function writeRung(file: string, runId: string, epoch: number, iterations: number, final: FinalMetrics, seconds: number): void {
  const rungs = readRungs(file);
  rungs.set(epoch, {
    epoch,
    iterations,
    train_cost: final.trainCost,
    train_accuracy: final.trainAccuracy,
    test_cost: final.testCost,
    test_accuracy: final.testAccuracy,
    validation_cost: final.validationCost,
    validation_accuracy: final.validationAccuracy,
    seconds,
  });
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify({ run_id: runId, rungs: [...rungs.values()].sort((a, b) => a.epoch - b.epoch) }, null, 2)}\n`);
}

import { existsSync, readFileSync, rmSync } from 'node:fs';
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
  'iteration', 'epoch', 'train_cost', 'test_cost', 'train_accuracy', 'test_accuracy',
  'validation_cost', 'validation_accuracy', 'seconds',
] as const;

/**
 * Writes a finished run's folder: config.json, history.csv, weights.safetensors, then metrics.json
 * last, each atomically, so that a run whose metrics.json exists is complete.
 */
export function writeRunRecord(
  dir: string,
  record: { config: unknown; history: readonly HistoryRecord[]; weights: readonly NamedTensor[]; metrics: RunMetrics; weightsMetadata: Record<string, string> },
): void {
  rmSync(path.join(dir, 'error.json'), { force: true });
  writeFileAtomic(path.join(dir, 'config.json'), `${JSON.stringify(record.config, null, 2)}\n`);
  writeFileAtomic(path.join(dir, 'history.csv'), historyCsv(record.history));
  writeFileAtomic(path.join(dir, 'weights.safetensors'), encodeSafetensors(record.weights, record.weightsMetadata));
  writeFileAtomic(path.join(dir, 'metrics.json'), `${JSON.stringify(record.metrics, null, 2)}\n`);
}

/** Records a failed run (config.json and error.json, no metrics.json). */
export function writeRunFailure(dir: string, config: unknown, failure: RunFailure): void {
  writeFileAtomic(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileAtomic(path.join(dir, 'error.json'), `${JSON.stringify(failure, null, 2)}\n`);
}

/** The run's metrics, its failure, or neither (never run, or interrupted). */
export function readRunState(dir: string): { metrics: RunMetrics } | { failure: RunFailure } | null {
  const metricsFile = path.join(dir, 'metrics.json');
  if (existsSync(metricsFile)) return { metrics: JSON.parse(readFileSync(metricsFile, 'utf8')) as RunMetrics };
  const errorFile = path.join(dir, 'error.json');
  if (existsSync(errorFile)) return { failure: JSON.parse(readFileSync(errorFile, 'utf8')) as RunFailure };
  return null;
}

/** history.csv: one row per record; validation columns are empty when there is no validation set. */
export function historyCsv(history: readonly HistoryRecord[]): string {
  return stringify(
    history.map((h) => [
      h.iteration, h.epoch, h.trainCost, h.testCost, h.trainAccuracy, h.testAccuracy,
      h.validationCost ?? '', h.validationAccuracy ?? '', round(h.seconds, 3),
    ]),
    { header: true, columns: [...HISTORY_COLUMNS] },
  );
}

function round(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

import { stringify } from 'csv-stringify/sync';
import type { ResultRow } from './result-row.ts';

const FIXED = ['layers', 'activations', 'learning_rate', 'batch_size', 'epochs', 'init', 'optimizer', 'seed'] as const;
const SEARCH = ['trial', 'rung', 'epochs_trained'] as const;
const OUTCOME = ['train_cost', 'test_cost', 'train_accuracy', 'test_accuracy', 'status', 'seconds'] as const;

/**
 * results.csv: one row per run in expansion order, columns run_id, label, a search's trial, the parameters that vary
 * (in a fixed, sorted order), the main settings, then the outcome. Stable order keeps git diffs of
 * a regenerated table to the values that changed. Runs not yet finished have status `pending`;
 * diverged and failed runs have empty costs and accuracies.
 */
export function resultsCsv(rows: readonly ResultRow[]): string {
  // A search's trial (and rung) come first: they say which proposal a row is. A grid has neither.
  const leading = SEARCH.filter((k) => rows.some((r) => Object.hasOwn(r.varying, k)));
  const varying = [...new Set(rows.flatMap((r) => Object.keys(r.varying)))]
    .filter((k) => !(FIXED as readonly string[]).includes(k) && !(leading as readonly string[]).includes(k))
    .sort();
  const columns = ['run_id', 'label', ...leading, ...varying, ...FIXED, ...OUTCOME];
  const records = rows.map((r) => {
    // Only a completed run has costs and accuracies worth a number: a diverged network predicts one
    // class everywhere, and its "accuracy" is the share of that class. The status column says why.
    const o =
      r.outcome?.status === 'completed' || r.outcome?.status === 'pruned'
        ? r.outcome
        : r.outcome && { ...r.outcome, trainCost: null, testCost: null, trainAccuracy: null, testAccuracy: null };
    return [
      r.runId,
      r.label,
      ...leading.map((k) => formatValue(r.varying[k])),
      ...varying.map((k) => formatValue(r.varying[k])),
      JSON.stringify(r.layers),
      r.activations.join(' '),
      r.learningRate,
      r.batchSize,
      r.epochs,
      r.init,
      r.optimizer,
      r.seed,
      o?.trainCost ?? '',
      o?.testCost ?? '',
      o?.trainAccuracy ?? '',
      o?.testAccuracy ?? '',
      o?.status ?? 'pending',
      o?.seconds === null || o?.seconds === undefined ? '' : o.seconds.toFixed(1),
    ];
  });
  return stringify(records, { header: true, columns, cast: { number: (v) => formatNumber(v) } });
}

function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Costs and accuracies to 6 significant digits: enough to compare, short enough to diff. */
function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

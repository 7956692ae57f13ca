import type { ResultRow } from '../tables/result-row.ts';
import { metricValue, type MetricName } from './metrics.ts';
import type { ComparableRun } from './pairing.ts';

/**
 * The results tables' rows as pairing sees them, with the metric read from the store
 * (`runDir(row)` is the run's folder, needed for history-based metrics).
 */
export function comparableRuns(rows: readonly ResultRow[], metric: MetricName, runDir: (row: ResultRow) => string): ComparableRun[] {
  return rows.map((row) => ({
    runId: row.runId,
    label: row.label,
    model: row.model,
    varying: row.varying,
    status: row.outcome?.status ?? 'pending',
    value: metricValue(row, metric, runDir(row)),
  }));
}

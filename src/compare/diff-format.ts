import { hasChanges, type CsvRow, type ResultsDiff } from './results-diff.ts';

/**
 * The report of `mlp-lab diff`: one line per run that changed, appeared or disappeared, with the
 * chosen metric's change, then a summary line (`no change: ...` when there is nothing).
 */
export function diffText(diff: ResultsDiff, options: { table: string; revision: string; metric: string; tolerance: number; existed: boolean }): string {
  const { metric, revision } = options;
  const lines: string[] = [];
  const value = (row: CsvRow) => row[metric] || '—';
  for (const c of diff.changed) {
    const ids = c.newRunId ? `${c.runId} → ${c.newRunId}` : c.runId;
    const before = Number(c.before[metric]);
    const after = Number(c.after[metric]);
    const delta = c.before[metric] && c.after[metric] && Number.isFinite(after - before) ? ` (${signed(after - before)})` : '';
    const others = c.changes.map((x) => x.column).filter((col) => col !== metric && col !== 'status');
    const also = others.length > 0 ? `; also ${others.join(', ')}` : '';
    const status = c.before.status !== c.after.status ? `; status ${c.before.status} → ${c.after.status}` : '';
    lines.push(`changed  ${ids}  ${c.label}: ${metric} ${value(c.before)} → ${value(c.after)}${delta}${also}${status}`);
  }
  for (const row of diff.added) lines.push(`added    ${row.run_id}  ${row.label}: ${metric} ${value(row)}`);
  for (const row of diff.removed) lines.push(`removed  ${row.run_id}  ${row.label}: ${metric} ${value(row)}`);
  const runs = diff.changed.length + diff.unchanged + diff.added.length;
  const against = options.existed ? revision : `${revision} (where ${options.table} did not exist)`;
  const summary = hasChanges(diff)
    ? `${diff.changed.length} changed, ${diff.added.length} added, ${diff.removed.length} removed, ${diff.unchanged} unchanged: ${options.table} against ${against} (tolerance ${options.tolerance})`
    : `no change: the ${runs} runs of ${options.table} are as in ${against} (tolerance ${options.tolerance})`;
  return `${[...lines, ...(lines.length > 0 ? [''] : []), summary].join('\n')}\n`;
}

/** +0.13, −0.05 (a real minus sign), to 6 significant digits. */
function signed(x: number): string {
  const text = String(Number(Math.abs(x).toPrecision(6)));
  return x < 0 ? `−${text}` : `+${text}`;
}

import { totalmem } from 'node:os';
import { problem, UserError } from '../errors.ts';
import { formatBytes } from '../experiment/format-bytes.ts';
import type { ExperimentRuns } from './run-listener.ts';

/**
 * `--jobs` runs train at once, each with its own model: refuses a `--jobs` whose largest runs
 * together need more memory than the machine has (each fits alone: validation checked that), and
 * says how many fit.
 */
export function checkJobsMemory(experiments: readonly ExperimentRuns[], jobs: number, limit = totalmem()): void {
  const sizes = experiments.flatMap((e) => e.selected.map((r) => r.work.bytes)).sort((a, b) => b - a);
  const together = sizes.slice(0, jobs).reduce((a, b) => a + b, 0);
  if (together <= limit) return;
  let fit = 0;
  for (let sum = 0; fit < sizes.length && sum + sizes[fit]! <= limit; fit++) sum += sizes[fit]!;
  throw new UserError(
    problem('too-large', `${Math.min(jobs, sizes.length)} runs at once need about ${formatBytes(together)} of memory; this machine has ${formatBytes(limit)}`, {
      file: '--jobs',
      hint: `use --jobs ${Math.max(1, fit)}`,
    }),
  );
}

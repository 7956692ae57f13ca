import type { ResolvedRun } from './expand.ts';
import type { ExperimentFile } from './schema.ts';
import type { Finding } from './settings.ts';
import { variantNamed } from './run-names.ts';
import { didYouMean } from './suggest.ts';

/**
 * The `compare:` section's checks that the schema cannot make: `by` names a parameter that varies
 * (or `variant`), neither the seed nor a searched parameter (a search compares the grid cells'
 * best trials), and `baseline` is one of its values. Skipped under `--set`, which may collapse an
 * axis (the comparison is then left out of the results with a note).
 */
export function checkComparisons(experiment: ExperimentFile, runs: readonly ResolvedRun[], overridden: boolean): Finding[] {
  if (overridden || !experiment.compare || runs.length === 0) return [];
  const hasVariants = runs.some((r) => r.variant !== null);
  const names = [...(hasVariants ? ['variant'] : []), ...Object.keys(runs[0]!.varying).filter((k) => k !== 'seed')];
  const searched = new Set(Object.keys(experiment.search?.space ?? {}));
  const findings: Finding[] = [];
  experiment.compare.forEach((entry, i) => {
    const at = (key: string) => ({ kind: 'file' as const, path: ['compare', i, key] });
    if (searched.has(entry.by)) {
      findings.push({
        code: 'compare-unknown',
        severity: 'error',
        origin: at('by'),
        message: `\`${entry.by}\` is searched: each grid cell's best trial is compared, at its own ${entry.by}`,
        hint: names.length ? `compare by a parameter of the grid: ${names.join(', ')}` : 'add a grid to compare its cells, or remove `compare:`',
      });
      return;
    }
    if (!names.includes(entry.by)) {
      const close = didYouMean(entry.by, names);
      findings.push({
        code: 'compare-unknown',
        severity: 'error',
        origin: at('by'),
        message:
          entry.by === 'seed'
            ? 'runs are paired by seed: compare by another parameter'
            : `\`compare[${i}].by\` names \`${entry.by}\`, which does not vary in this experiment`,
        hint: close ? `did you mean \`${close}\`?` : names.length ? `these vary: ${names.join(', ')}` : 'nothing varies: remove `compare:`',
      });
      return;
    }
    if (entry.baseline === undefined) return;
    // Variants are named by id or label; other values as `varying` shows them (lists as [a,b]).
    const values = [...new Set(runs.map((r) => (entry.by === 'variant' ? r.variant : text(r.varying[entry.by]))))];
    const named = entry.by === 'variant' ? variantNamed(experiment, entry.baseline)?.id : text(entry.baseline);
    if (!values.includes(named ?? null)) {
      const close = didYouMean(
        text(entry.baseline),
        values.filter((v): v is string => v !== null),
      );
      findings.push({
        code: 'compare-baseline',
        severity: 'error',
        origin: at('baseline'),
        message: `\`${text(entry.baseline)}\` is not a value of \`${entry.by}\` in this experiment`,
        hint: close ? `did you mean \`${close}\`?` : `values of ${entry.by}: ${values.join(', ')}`,
      });
    }
  });
  return findings;
}

function text(value: unknown): string {
  return Array.isArray(value) ? `[${value.join(',')}]` : String(value);
}

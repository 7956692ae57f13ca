import { UserError } from '../errors.ts';
import type { SearchPlan } from '../run/search-plan.ts';
import type { ResultRow } from '../tables/result-row.ts';
import { markdownTable } from '../tables/render-tables.ts';
import { comparableRuns } from './comparable.ts';
import { compareRuns, type Comparison, type ComparisonSpec } from './compare.ts';
import { comparisonBlocks, leftOutMarkdown } from './formatting.ts';

/** A comparison the experiment file names, computed, or why it could not be (e.g. `--set` collapsed its parameter). */
export interface NamedComparison {
  spec: ComparisonSpec;
  comparison: Comparison | null;
  problem: string | null;
}

/**
 * The comparisons named in the experiment's `compare:` section, from the results rows
 * (`runDir(row)` is a run's folder); for a search (`plan`), between the grid cells' best trials.
 * A comparison that does not apply to these runs is kept with its reason rather than stopping the
 * results tables.
 */
export function namedComparisons(
  rows: readonly ResultRow[],
  specs: readonly ComparisonSpec[],
  runDir: (row: ResultRow) => string,
  plan: SearchPlan | null = null,
): NamedComparison[] {
  return specs.map((spec) => {
    try {
      const runs = comparableRuns(rows, spec.metric, runDir);
      return { spec, comparison: compareRuns(runs, spec, { by: 'compare', baseline: 'compare' }, plan), problem: null };
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      return { spec, comparison: null, problem: error.problems.map((p) => p.message).join('; ') };
    }
  });
}

/**
 * results.md's "Comparisons" section: per comparison its tables, notes and left-out runs, and
 * the image of its forest plot when `chart(i)` names one. Empty without comparisons.
 */
export function comparisonsMarkdown(named: readonly NamedComparison[], chart: (index: number) => string | null = () => null): string[] {
  if (named.length === 0) return [];
  const lines = ['## Comparisons', ''];
  named.forEach(({ spec, comparison, problem }, i) => {
    if (!comparison) {
      lines.push(`Comparison by ${spec.by}: not shown (${problem}).`, '');
      return;
    }
    for (const { table, notes } of comparisonBlocks(comparison)) {
      // Two trailing spaces: a Markdown line break between the notes.
      lines.push(markdownTable(table), '', ...notes.map((n) => `${n}  `), '');
    }
    const image = chart(i);
    if (image) lines.push(`![Forest plot of the comparison by ${spec.by}](${image})`, '');
    const left = leftOutMarkdown(comparison);
    if (left.length > 0) lines.push(...left, '');
  });
  return lines;
}

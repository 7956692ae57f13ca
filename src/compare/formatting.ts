import type { Table } from '../tables/tables.ts';
import { ALPHA, type Comparison, type ComparisonRow } from './compare.ts';
import { METRICS } from './metrics.ts';
import { valueText } from './pairing.ts';

/**
 * How comparisons read: a plain-text report for the terminal, Markdown tables for results.md, and
 * plain objects for `--json`. Differences are value − baseline in the metric's units.
 */

/** `relu − sigmoid`. */
export function differenceName(row: Pick<ComparisonRow, 'value' | 'baseline'>): string {
  return `${valueText(row.value)} − ${valueText(row.baseline)}`;
}

/** p-values: two significant digits, scientific below 0.001; `n/a` when not computed. */
export function formatP(p: number | null): string {
  if (p === null) return 'n/a';
  if (p >= 0.001) return String(Number(p.toPrecision(2)));
  return p.toExponential(1);
}

/** Decimals that give the largest difference of a comparison four significant digits (0 to 6). */
function decimalsFor(rows: readonly ComparisonRow[]): number {
  const largest = Math.max(...rows.map((r) => Math.abs(r.mean_diff ?? 0)));
  if (!(largest > 0)) return 2;
  return Math.min(6, Math.max(0, 3 - Math.floor(Math.log10(largest))));
}

function cellsOf(row: ComparisonRow, decimals: number, sliceBy: readonly string[]): string[] {
  const num = (x: number | null) => (x === null ? 'n/a' : (x >= 0 ? '+' : '') + x.toFixed(decimals));
  const slice = row.slice === 'all' ? ['all', ...sliceBy.slice(1).map(() => '')] : sliceBy.map((k) => valueText(row.coordinates[k]));
  const holmCell = row.p_t_holm === null ? '' : `${formatP(row.p_t_holm)} ${row.p_t_holm <= ALPHA ? '✓' : '✗'}`;
  return [
    ...(sliceBy.length > 0 ? slice : []),
    String(row.n),
    num(row.mean_diff),
    row.ci_low === null || row.ci_high === null ? 'n/a' : `${num(row.ci_low)} to ${num(row.ci_high)}`,
    formatP(row.p_t),
    formatP(row.p_wilcoxon),
    `${row.wins}/${row.ties}/${row.losses}`,
    holmCell,
  ];
}

const HEADER = ['pairs', 'difference', '95% CI', 'p (t)', 'p (Wilcoxon)', 'wins/ties/losses', 'Holm (t)'];

/** The rows of one value against the baseline. */
function byValue(comparison: Comparison): ComparisonRow[][] {
  const groups = new Map<string, ComparisonRow[]>();
  for (const row of comparison.rows) {
    const key = JSON.stringify(row.value);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()];
}

/** The notes under a comparison: what Holm means here, the Wilcoxon floor, what goes with `by`. */
function notes(comparison: Comparison, rows: readonly ComparisonRow[]): string[] {
  const out: string[] = [];
  const tested = rows.filter((r) => r.p_t_holm !== null);
  if (tested.length > 0) {
    const surviving = tested.filter((r) => r.p_t_holm! <= ALPHA).length;
    out.push(`Holm (t): the t-test p-values adjusted over ${tested.length} slices; ${surviving} of ${tested.length} stay below ${ALPHA} (✓).`);
  }
  const smallest = Math.min(...rows.filter((r) => r.n >= 2).map((r) => r.n));
  if (Number.isFinite(smallest) && smallest <= 5) out.push(`With ${smallest} pairs the Wilcoxon test cannot give p below ${formatP(2 / 2 ** smallest)}.`);
  const single = comparison.search !== null && rows.every((r) => r.n <= 1);
  if (single && rows.some((r) => r.n === 1))
    out.push(
      'n/a: each best trial ran on one seed, so the difference is between two single values and has no interval or test (seed noise cannot be told from it); with two or more seeds the best trials are paired by seed and tested.',
    );
  else if (rows.some((r) => r.n < 2)) out.push('n/a: fewer than 2 pairs, or differences without spread, give no interval or test.');
  if (comparison.tied.length > 0)
    out.push(`${comparison.tied.join(', ')} change${comparison.tied.length === 1 ? 's' : ''} together with ${comparison.by}: compared with it, not paired.`);
  return out;
}

/**
 * A search's comparison says what it compared: each cell's best trial, its searched values, the
 * search metric it was chosen by and the compared metric of its seeds.
 */
function selectedTrials(comparison: Comparison): string[] {
  if (!comparison.search) return [];
  const { metric, trials } = comparison.search;
  const number = (x: number) => String(Number(x.toPrecision(6)));
  const title = METRICS[comparison.metric].title;
  return [
    `Compared: each cell's best trial by ${metric} (the mean over its seeds, ties to the lower trial), as the Search section names it:`,
    ...trials.map((t) => {
      if (t.trial === null) return `- ${t.cell}: no trial has a result yet`;
      const settings = Object.entries(t.configuration)
        .map(([k, v]) => `${k}=${typeof v === 'number' ? number(v) : JSON.stringify(v)}`)
        .join(', ');
      const compared =
        t.values.length === 0
          ? `no ${title}`
          : t.values.length === 1
            ? `${title} ${number(t.values[0]!)}`
            : `${title} ${t.values.map(number).join(', ')} over ${t.values.length} seeds`;
      return `- ${t.cell}: trial ${t.trial} (${settings}), ${metric} ${t.searchValue === null ? 'n/a' : number(t.searchValue)}; ${compared}`;
    }),
  ];
}

/** `paired by seed`, or for a search what is paired. */
function pairedBy(comparison: Comparison): string {
  return comparison.search ? "each cell's best trial, paired by seed" : 'paired by seed';
}

/** The terminal report of one comparison: a table per value, notes, and the runs left out. */
export function comparisonText(experiment: string, comparison: Comparison): string {
  const metric = METRICS[comparison.metric].title;
  const blocks = byValue(comparison).map((rows) => {
    const decimals = decimalsFor(rows);
    const title = `${experiment}: ${metric}, ${differenceName(rows[0]!)} (${comparison.by}), ${pairedBy(comparison)}`;
    const table = alignedTable(
      [...comparison.sliceBy, ...HEADER],
      rows.map((r) => cellsOf(r, decimals, comparison.sliceBy)),
      comparison.sliceBy.length,
    );
    return [title, '', table, '', ...notes(comparison, rows)].join('\n');
  });
  const selected = selectedTrials(comparison);
  if (selected.length > 0) blocks.unshift(selected.map((line) => line.replace(/^- /, '  ')).join('\n'));
  const left =
    comparison.leftOut.length === 0
      ? ['Left out: none; every run has its partner.']
      : [`Left out (${comparison.leftOut.length}):`, ...comparison.leftOut.map((l) => `  ${l.runId}  ${l.label}: ${l.reason}`)];
  return `${[...blocks, left.join('\n')].join('\n\n')}\n`;
}

/** The same numbers for results.md: per value against the baseline, a table and its notes. */
export function comparisonBlocks(comparison: Comparison): { table: Table; notes: string[] }[] {
  const metric = METRICS[comparison.metric].title;
  return byValue(comparison).map((rows, i) => {
    const decimals = decimalsFor(rows);
    const header = [...(comparison.sliceBy.length > 0 ? comparison.sliceBy : ['slice']), ...HEADER];
    const table: Table = {
      caption: `${metric}: ${differenceName(rows[0]!)} (${comparison.by}), ${pairedBy(comparison)}`,
      header,
      rows: rows.map((r) => {
        const cells = cellsOf(r, decimals, comparison.sliceBy);
        const full = comparison.sliceBy.length > 0 ? cells : [r.slice === 'all' ? 'all' : '-', ...cells];
        return { cells: full, bold: full.map((c) => r.slice === 'all' && c !== '') };
      }),
    };
    // The trials compared are said once, under the first table.
    return { table, notes: [...notes(comparison, rows), ...(i === 0 ? selectedTrials(comparison) : [])] };
  });
}

/** Markdown lines saying which runs a comparison left out (empty when none). */
export function leftOutMarkdown(comparison: Comparison): string[] {
  if (comparison.leftOut.length === 0) return [];
  return [
    `Left out of the comparison by ${comparison.by} (${comparison.leftOut.length}):`,
    '',
    ...comparison.leftOut.map((l) => `- \`${l.runId}\` ${l.label}: ${l.reason}`),
  ];
}

/** Columns padded to their widest cell; the first `labels` columns left-aligned, the rest right-aligned. */
function alignedTable(header: readonly string[], rows: readonly string[][], labels: number): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => [...(r[c] ?? '')].length)));
  return all
    .map((r) =>
      r
        .map((cell, c) => {
          const pad = ' '.repeat(widths[c]! - [...cell].length);
          return c < labels ? cell + pad : pad + cell;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

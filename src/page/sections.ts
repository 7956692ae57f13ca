import type { ResultRow } from '../tables/result-row.ts';
import { configurations, formatScalar, summarise, type Summary, type Table } from '../tables/tables.ts';
import type { ChartSet } from '../charts/build-charts.ts';
import { configurationLabel, fieldName, parameterValue, type ChartRoles } from '../charts/parameters.ts';
import { escapeHtml } from './html.ts';
import type { PageBlock, ReportSection } from './page.ts';
import { runsTableHtml, tableHtml } from './tables-html.ts';

/** What the experiment's own sections are made of. */
export interface SectionInput {
  rows: readonly ResultRow[];
  tables: readonly Table[];
  charts: ChartSet;
  roles: ChartRoles;
  runDir: (row: ResultRow) => string;
  /** The page's folder, for relative links. */
  pageDir: string;
  /** `table.rows` of the experiment: its sweep leads the page. */
  tableRows: string | null;
}

/** Runs whose charts are shown open on the page; with more, each run is a closed `<details>`. */
const OPEN_RUNS = 6;

/**
 * The page's sections for an experiment, in reading order: the results (the answer in one
 * sentence, the leading sweep, results.md's table and the results chart), the other sweeps, the
 * overlaid histories, results.md's pivot tables, then every run with its charts and files.
 */
export function experimentSections(input: SectionInput): ReportSection[] {
  const { rows, tables, charts, roles } = input;
  const chart = (name: string, caption?: string): PageBlock[] => {
    const found = charts.experiment.find((c) => c.name === name);
    return found ? [{ chart: found, ...(caption ? { caption } : {}) }] : [];
  };
  // The sweep along the table's rows (the learning rate, say) answers the question at a glance:
  // it comes right after the one-sentence answer; the other sweeps get their own section.
  const sweeps = charts.experiment.filter((c) => c.name.startsWith('sweep-'));
  const lead = sweeps.find((c) => c.name === `sweep-${fieldName(input.tableRows ?? '')}`) ?? sweeps[0];
  const [configurationTable, ...pivots] = tables;
  const sections: ReportSection[] = [
    {
      id: 'results',
      title: 'Results',
      blocks: [
        ...answer(rows, roles),
        ...(lead ? [{ chart: lead }] : []),
        ...(configurationTable ? [{ html: tableHtml(configurationTable) }] : []),
        ...chart('results'),
      ],
    },
  ];
  const others = sweeps.filter((c) => c !== lead);
  if (others.length) {
    sections.push({
      id: 'sweeps',
      title: 'Sweeps',
      blocks: [
        {
          html: '<p class="note">Test accuracy against each parameter of the grid: the line is the mean over seeds, the band (or bar) ± one standard deviation, the faint dots the runs. Hover for the numbers.</p>',
        },
        ...others.map((c) => ({ chart: c })),
      ],
    });
  }
  const histories = chart('histories');
  if (histories.length) sections.push({ id: 'histories', title: 'Training histories', blocks: histories });
  if (pivots.length) sections.push({ id: 'tables', title: 'Tables by parameter', blocks: pivots.map((t) => ({ html: tableHtml(t) })) });

  const seen = new Set<string>();
  const unique = rows.filter((r) => !seen.has(r.runId) && seen.add(r.runId));
  sections.push({
    id: 'runs',
    title: 'Runs',
    blocks: [
      { html: runsTableHtml(unique, input.runDir, input.pageDir) },
      ...charts.notes.map((n) => ({ html: `<p class="note">Note: ${escapeHtml(n)}.</p>` })),
    ],
    details: unique
      .filter((r) => (charts.runs.get(r.runId)?.length ?? 0) > 0)
      .map((r) => ({
        summary: `<span id="run-${r.runId}">${escapeHtml(r.label)}</span><span class="meta"><code>${r.runId}</code>${r.outcome?.testAccuracy !== null && r.outcome?.testAccuracy !== undefined ? ` · ${r.outcome.testAccuracy.toFixed(2)} %` : ''}</span>`,
        open: unique.length <= OPEN_RUNS,
        blocks: charts.runs.get(r.runId)!.map((c) => ({ chart: c })),
      })),
  });
  return sections;
}

/**
 * The question answered in a sentence: the best configuration, and the best of each value of the
 * colour parameter (relu's best and sigmoid's best, with their settings), mean ± std over seeds.
 */
function answer(rows: readonly ResultRow[], roles: ChartRoles): PageBlock[] {
  const scored = configurations(rows)
    .groups.map(([, members]) => ({ first: members[0]!, summary: summarise(members) }))
    .filter((c) => c.summary.count > 0);
  if (scored.length < 2) return [];
  const best = (list: typeof scored) => list.reduce((a, b) => (b.summary.mean > a.summary.mean ? b : a));
  const value = (s: Summary) => `${s.mean.toFixed(2)}${s.count > 1 ? ` ± ${s.std.toFixed(2)}` : ''} %`;
  const top = best(scored);
  const parts = [`<strong>Best:</strong> ${escapeHtml(configurationLabel(top.first, roles.parameters))} at ${value(top.summary)}`];
  const color = roles.color;
  if (color && roles.parameters.length > 1) {
    const values = [...new Set(scored.map((c) => formatScalar(parameterValue(c.first, color))))];
    const others = roles.parameters.filter((p) => p !== color);
    const perValue = values.map((v) => {
      const b = best(scored.filter((c) => formatScalar(parameterValue(c.first, color)) === v));
      const settings = others.map((p) => `${p} ${formatScalar(parameterValue(b.first, p))}`).join(', ');
      return `${escapeHtml(v)} ${value(b.summary)} (${escapeHtml(settings)})`;
    });
    parts.push(`<strong>Best per ${escapeHtml(color)}:</strong> ${perValue.join(' · ')}`);
  }
  const seeds = Math.max(...scored.map((c) => c.summary.count));
  if (seeds > 1) parts.push(`mean ± standard deviation over ${seeds} seeds`);
  return [{ html: `<p class="answer">${parts.join('. ')}.</p>` }];
}

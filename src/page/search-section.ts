import type { Chart } from '../charts/spec.ts';
import type { SearchPlan } from '../run/search-plan.ts';
import { bestTrialsTable, searchSummary } from '../tables/search-table.ts';
import { escapeHtml } from './html.ts';
import type { PageBlock, ReportSection } from './page.ts';
import { tableHtml } from './tables-html.ts';

const CAPTIONS: Record<string, string> = {
  'search-history': 'Every trial (dots) and the best so far (line), against the trials and against the epochs they cost.',
  'search-parameters': 'One line per trial across the searched parameters, coloured by the metric; each axis runs from the bound of the space to the other.',
  'search-importance': 'The first-order share of each parameter; a bar near its tick is no more than chance with this many trials.',
  'search-expected-best': 'The best a search of n trials can be expected to find, from the trials run.',
  'search-rungs': 'Successive halving as it ran: each run at every rung it reached; the pruned ones stop there.',
};

/** report.html's Search section: the summary, each cell's best trial, and the search's charts. None for a grid. */
export function searchSections(plan: SearchPlan | null | undefined, charts: readonly Chart[]): ReportSection[] {
  if (!plan) return [];
  const blocks: PageBlock[] = [{ html: `<p>${escapeHtml(searchSummary(plan))}</p>` }, { html: tableHtml(bestTrialsTable(plan)) }];
  for (const chart of charts.filter((c) => c.name.startsWith('search-'))) blocks.push({ chart, caption: CAPTIONS[chart.name] ?? '' });
  return [{ id: 'search', title: 'Search', blocks }];
}

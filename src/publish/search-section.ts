import type { SearchPlan } from '../run/search-plan.ts';
import { markdownTable } from '../tables/render-tables.ts';
import { bestTrialsTable, searchSummary } from '../tables/search-table.ts';

/** results.md's Search section: how the search ran and each grid cell's best trial. Empty for a grid. */
export function searchMarkdown(plan: SearchPlan | null | undefined): string[] {
  if (!plan) return [];
  return ['## Search', '', searchSummary(plan), '', markdownTable(bestTrialsTable(plan)), ''];
}

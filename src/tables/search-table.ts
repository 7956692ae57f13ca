import { bestTrial, type SearchPlan } from '../run/search-plan.ts';
import type { Table } from './tables.ts';

/** How a search ran, in one sentence: method, trials, seed, pruner, metric, and how far it got. */
export function searchSummary(plan: SearchPlan): string {
  const { options, metric, pruner } = plan.search;
  const how =
    `${options.method}, ${options.trials} trials${plan.cells.length > 1 ? ' per grid cell' : ''}, search seed ${options.seed}` +
    `${pruner ? `, ${pruner.method} from ${pruner.minEpochs} to ${pruner.maxEpochs} epochs (eta ${pruner.eta})` : ''}` +
    `; ${metric} ${options.direction === 'maximize' ? 'maximised' : 'minimised'}, the mean over a trial's seeds.`;
  const proposed = plan.roundsProposed < plan.rounds ? ` Rounds proposed so far: ${plan.roundsProposed} of ${plan.rounds}.` : '';
  return `${how}${proposed}`;
}

/**
 * Each grid cell's best trial with its settings and metric (the mean over its seeds; with a
 * pruner, among the trials that went furthest), as results.md and report.html show it.
 */
export function bestTrialsTable(plan: SearchPlan): Table {
  const { options, metric, space } = plan.search;
  const names = space.dimensions.map((d) => d.name);
  const withResult = (cell: number) => plan.results[cell]!.filter((r) => r.value !== null).length;
  const rows = plan.cells.map((label, cell) => {
    const best = bestTrial(plan, cell);
    const values = names.map((n) => (best ? valueText(best.configuration[n]) : '—'));
    return {
      cells: [
        label,
        best ? String(best.trial) : '—',
        ...values,
        best ? String(Number(best.value!.toPrecision(6))) : '—',
        `${withResult(cell)} of ${options.trials}`,
      ],
      bold: [],
    };
  });
  return { caption: 'Best trial of each cell', header: ['Cell', 'Trial', ...names, metric, 'Trials with a result'], rows };
}

function valueText(value: unknown): string {
  return typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

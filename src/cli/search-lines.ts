import { bestTrial, type SearchPlan } from '../run/search-plan.ts';
import { roundBrackets, rungEpochs, searchEpochs, searchRounds } from '../search/index.ts';

/** `plan`'s account of a search: method, trials, rounds, the rung schedule and the epochs it trains. */
export function searchPlanLines(plan: SearchPlan): string[] {
  const { options, metric, pruner } = plan.search;
  const rounds = searchRounds(options);
  const cells = plan.cells.length;
  const perCell = cells > 1 ? ` in each of ${cells} grid cells (${plan.cells.join('; ')})` : '';
  const roundText = rounds.length === 1 ? 'in one round' : `in ${rounds.length} rounds of up to ${Math.max(...rounds.map((r) => r.count))}`;
  const lines = [
    `Search: ${options.method}, ${options.trials} trials${perCell}, ${roundText}, search seed ${options.seed}; ${metric} ${options.direction === 'maximize' ? 'maximised' : 'minimised'} (the mean over a trial's seeds).`,
  ];
  if (pruner) {
    const brackets = rounds.flatMap((_, r) => roundBrackets(options, r));
    const schedule = brackets
      .slice(0, 3)
      .map((b) => b.rungs.map((rung) => `${rung.trials}×${rung.epochs}`).join(' → '))
      .join('; ');
    const epochs = searchEpochs(options)!;
    lines.push(
      `Pruner: ${pruner.method}, rungs at ${rungEpochs(pruner).join(', ')} epochs (eta ${pruner.eta}); trials×epochs per bracket: ${schedule}${brackets.length > 3 ? `; … (${brackets.length} brackets)` : ''}.`,
    );
    lines.push(
      `Epochs to train: ${epochs.pruned}${cells > 1 ? ' per cell' : ''}, against ${epochs.unpruned} with every trial to max_epochs (${pruner.maxEpochs}).`,
    );
  }
  if (plan.roundsProposed < plan.rounds) {
    lines.push(`Listed: rounds 1 to ${plan.roundsProposed} of ${plan.rounds}; the rest are proposed from the results of the rounds before them.`);
  }
  return lines;
}

/** `plan --json`'s search: what the text says, as data. */
export function searchJson(plan: SearchPlan) {
  const { options, metric, pruner } = plan.search;
  return {
    method: options.method,
    trials: options.trials,
    seed: options.seed,
    metric,
    direction: options.direction,
    cells: plan.cells,
    rounds: plan.rounds,
    rounds_proposed: plan.roundsProposed,
    pruner: pruner
      ? {
          method: pruner.method,
          min_epochs: pruner.minEpochs,
          max_epochs: pruner.maxEpochs,
          eta: pruner.eta,
          rungs: rungEpochs(pruner),
          epochs: searchEpochs(options),
        }
      : null,
  };
}

/** `run`'s closing lines for a search: the best trial of each cell and its settings. */
export function bestTrialLines(name: string, plan: SearchPlan): string[] {
  return plan.cells.map((label, cell) => {
    const best = bestTrial(plan, cell);
    const where = plan.cells.length > 1 ? `${name} (${label})` : name;
    if (!best) return `Best trial of ${where}: none yet (no trial has a ${plan.search.metric}).`;
    const settings = Object.entries(best.configuration)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(' ');
    return `Best trial of ${where}: trial ${best.trial}, ${settings}: ${plan.search.metric} ${Number(best.value!.toPrecision(6))}.`;
  });
}

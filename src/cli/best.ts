import type { Command } from '@commander-js/extra-typings';
import { bestConfigurations } from '../compare/best.ts';
import { bestTrialRows } from '../compare/best-trials.ts';
import { meanAndSpread, variantBlock } from '../compare/best-format.ts';
import { metricValue, METRICS } from '../compare/metrics.ts';
import { problem, UserError } from '../errors.ts';
import { EXIT_OK, runCommand } from './common.ts';
import { loadResults } from './experiments.ts';
import { jsonOption, maxRunsOption, outOption, setOption, metricOption } from './options.ts';

/** `mlp-lab best FILE`: the best configuration over its seeds, overall or per value of a parameter, from the results store. */
export function registerBest(program: Command): void {
  program
    .command('best')
    .description('the best configuration by a metric (mean over seeds, with its spread), overall or per value of --by, and a variant block to paste')
    .argument('<file>', 'experiment file (YAML)')
    .addOption(metricOption('rank by'))
    .option('--by <param>', 'the best configuration for each value of this parameter (one that varies, or `variant`)')
    .addOption(jsonOption('the configurations, their values and the variant blocks'))
    .addOption(outOption())
    .addOption(setOption('read'))
    .addOption(maxRunsOption())
    .addHelpText(
      'after',
      [
        '',
        'A configuration is a set of runs that differ only in their seed; it is ranked by the mean of',
        'the metric over the seeds that finished (accuracies higher, costs and time lower). Nothing is',
        'trained: the values come from the results store. For a search, the configurations are the',
        "best trial of each grid cell (by the search's metric, as `run` names it).",
        '',
        'Examples:',
        '  $ mlp-lab best experiments/relu-vs-sigmoid.yaml',
        '  $ mlp-lab best experiments/relu-vs-sigmoid.yaml --by activation --metric best_test_accuracy',
        '  $ mlp-lab best experiments/relu-vs-sigmoid.yaml --json | jq ".[0].mean"',
      ].join('\n'),
    )
    .action((file, options) =>
      runCommand(() => {
        const { experiment, out, dir, rows: all, search } = loadResults(file, options);
        // A search's configurations are its trials: the best one of each cell is the search's own choice.
        const rows = search ? bestTrialRows(search, all) : all;
        const by = options.by ?? null;
        const names = [
          ...(experiment.runs.some((r) => r.variant !== null) ? ['variant'] : []),
          ...Object.keys(rows[0]?.varying ?? experiment.runs[0]?.varying ?? {}).filter((k) => k !== 'seed'),
        ];
        if (by !== null && !names.includes(by)) {
          throw new UserError(
            problem('unknown-parameter', `\`${by}\` does not vary in this experiment`, {
              file: '--by',
              hint: names.length ? `these vary: ${names.join(', ')}` : 'nothing varies: leave out --by',
            }),
          );
        }
        const best = bestConfigurations(rows, options.metric, by, (row) => metricValue(row, options.metric, dir(row)));
        if (best.length === 0) {
          throw new UserError(
            problem('no-results', `no finished run of ${experiment.name} has a value of ${options.metric} in ${out}`, {
              file,
              hint: `train them first: mlp-lab run ${file}`,
            }),
          );
        }
        if (options.json) {
          process.stdout.write(
            `${JSON.stringify(
              best.map((c) => ({
                by,
                value: c.group,
                label: c.label,
                variant: c.model,
                settings: c.settings,
                metric: options.metric,
                n: c.n,
                mean: c.mean,
                sd: c.sd,
                min: c.min,
                max: c.max,
                seeds: c.seeds,
                missing: c.missing,
                variant_block: variantBlock(c, options.metric),
              })),
              null,
              2,
            )}\n`,
          );
          return EXIT_OK;
        }
        const title = METRICS[options.metric].title;
        for (const [i, c] of best.entries()) {
          if (i > 0) process.stdout.write('\n');
          const heading = by === null ? `best by ${title}` : `best for ${by}=${String(c.group)} by ${title}`;
          process.stdout.write(`${heading}: ${c.label}, ${meanAndSpread(c, options.metric)}\n\nvariants:\n${variantBlock(c, options.metric)}\n`);
        }
        return EXIT_OK;
      }),
    );
}

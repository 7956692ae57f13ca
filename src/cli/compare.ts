import type { Command } from '@commander-js/extra-typings';
import { parse } from 'yaml';
import { comparableRuns } from '../compare/comparable.ts';
import { compareRuns } from '../compare/compare.ts';
import { comparisonText } from '../compare/formatting.ts';
import { EXIT_OK, runCommand } from './common.ts';
import { setOption, maxRunsOption, outOption, metricOption } from './options.ts';
import { loadResults } from './experiments.ts';
import { variantLabel } from '../publish/report-input.ts';

/** `mlp-lab compare FILE --by PARAM`: paired differences between the values of one parameter, from the results store. */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('compare the values of one parameter on paired runs (same settings and seed): mean difference, 95% CI, paired t and Wilcoxon tests')
    .argument('<file>', 'experiment file (YAML)')
    .requiredOption('--by <param>', 'the parameter to compare (a parameter that varies, or `variant`)')
    .addOption(metricOption('compare'))
    .option(
      '--baseline <value>',
      "the value the others are compared with (default: the baseline of the file's `compare:` entry for this parameter, else the first value in the file)",
    )
    .option('--json', 'print one JSON object per comparison line, for scripts')
    .addOption(outOption())
    .addOption(setOption('read'))
    .addOption(maxRunsOption())
    .addHelpText(
      'after',
      [
        '',
        'Runs are paired when every other setting, the seed included, is equal. Per slice of the other',
        'parameters that vary, and over all slices: pairs, mean difference (value − baseline), its 95%',
        'Student-t interval, the paired t-test and Wilcoxon signed-rank p-values, wins/ties/losses, and',
        "the t-test p-values after Holm's correction across slices. Unfinished, failed and diverged runs",
        'and runs without a partner are listed, not dropped silently. For a search, each grid cell',
        "is represented by its best trial (by the search's metric, as `run` names it), paired by seed.",
        '',
        'Examples:',
        '  $ mlp-lab compare experiments/relu-vs-sigmoid.yaml --by activation',
        '  $ mlp-lab compare experiments/relu-vs-sigmoid.yaml --by init --baseline report --metric best_test_accuracy',
        '  $ mlp-lab compare experiments/relu-vs-sigmoid.yaml --by activation --json',
      ].join('\n'),
    )
    .action((file, options) =>
      runCommand(() => {
        const { loaded, experiment, dir, rows, search } = loadResults(file, options);
        const runs = comparableRuns(rows, options.metric, dir);
        // Without --baseline, the file's own comparison by the same parameter names it.
        const written =
          options.baseline === undefined
            ? ((loaded.experiment.compare ?? []).find((c) => c.by === options.by)?.baseline ?? null)
            : (parse(options.baseline) as unknown);
        const baseline = variantLabel(loaded, options.by, written);
        const comparison = compareRuns(runs, { by: options.by, baseline, metric: options.metric }, { by: '--by', baseline: '--baseline' }, search);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(comparison.rows, null, 2)}\n`);
          for (const l of comparison.leftOut) process.stderr.write(`left out: ${l.runId} ${l.label}: ${l.reason}\n`);
        } else {
          process.stdout.write(comparisonText(experiment.name, comparison));
        }
        return EXIT_OK;
      }),
    );
}

import { readFileSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { writeReport } from '../publish/write-report.ts';
import { problem } from '../errors.ts';
import { collectResults } from '../tables/collect.ts';
import { unplannedRuns } from '../tables/unplanned-runs.ts';
import { effectiveOverrides, experimentDir, resultsFolder, runDir } from '../store/layout.ts';
import { openInBrowser } from './open-file.ts';
import { reportLines } from './report-lines.ts';
import { EXIT_OK, printProblems, runCommand } from './common.ts';
import { setOption, maxRunsOption, outOption } from './options.ts';
import { loadAll } from './experiments.ts';
import { reportInput } from '../publish/report-input.ts';
import { plannedExperiments } from './search-plans.ts';
import { checkStoreLayout } from '../store/check-layout.ts';
import { ensureWritableDir } from '../store/writable-folder.ts';

/** `mlp-lab report FILE...`: rebuilds the results tables from the store, without training. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('rebuild results.csv, results.md, results.tex, the charts and report.html from finished runs, without training')
    .argument('<files...>', 'experiment files (YAML)')
    .addOption(outOption())
    .addOption(setOption('read'))
    .option('--no-charts', 'rebuild only the tables')
    .option('--open', 'open report.html in the default browser afterwards')
    .addOption(maxRunsOption())
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ mlp-lab report experiments/report.yaml --open',
        '  $ mlp-lab report experiments/relu-vs-sigmoid.yaml --no-charts',
        '  $ mlp-lab report experiments/relu-vs-sigmoid.yaml --set epochs=1 --out /tmp/smoke',
      ].join('\n'),
    )
    .action((files, options) =>
      runCommand(async () => {
        const { loaded, warnings } = loadAll(files, { sets: options.set, maxRuns: options.maxRuns });
        printProblems(warnings);
        const out = resultsFolder(
          options.out,
          options.set,
          loaded.map((l) => l.file),
        );
        const overrides = effectiveOverrides(options.set);
        checkStoreLayout(
          out,
          loaded.map((l) => l.experiment.name),
        );
        const planned = plannedExperiments(loaded, out, { sets: options.set, maxRuns: options.maxRuns });
        for (const [i, experiment] of planned.map((l) => ({ ...reportInput(l), overrides, search: l.search })).entries()) {
          const file = loaded[i]!.file;
          const recorded = collectResults(experiment.runs, (run) => runDir(out, experiment.name, run.id)).filter((r) => r.outcome !== null).length;
          const unplanned = unplannedRuns(out, experiment.name, experiment.runs);
          const show = `mlp-lab report ${file}${out === resultsFolder(undefined, unplanned.suggestedSets, [file]) ? '' : ` --out ${out}`}${unplanned.suggestedSets.map((k) => ` --set ${k}`).join('')}`;
          const elsewhere =
            unplanned.count > 0
              ? `${unplanned.count} finished run${unplanned.count === 1 ? '' : 's'} in ${experimentDir(out, experiment.name)}/runs ${unplanned.count === 1 ? 'is' : 'are'} not in this plan (made with other --set overrides, or another version of the file)`
              : null;
          ensureWritableDir(out, '--out');
          const report = await writeReport(out, experiment, { charts: options.charts });
          const markdown = report.tables.find((f) => f.endsWith('.md'))!;
          const lines = [`Written: ${report.tables.join(', ')}`, ...reportLines([report])];
          process.stdout.write(`${readFileSync(markdown, 'utf8')}\n${lines.join('\n')}\n`);
          // A table of pending runs beside finished runs of another plan is most likely a missing --set: say so.
          if (recorded === 0) {
            printProblems([
              problem(
                'no-results',
                `none of the ${experiment.runs.length} runs of ${experiment.name} has been run in ${out}${elsewhere ? `; ${elsewhere}` : ''}`,
                {
                  file,
                  severity: 'warning',
                  hint: elsewhere
                    ? unplanned.suggestedSets.length
                      ? `show them with: ${show}`
                      : 'show them with the --set they were run with'
                    : `train them with: mlp-lab run ${file}${options.out === undefined ? '' : ` --out ${out}`}${overrides.map((o) => ` --set ${o}`).join('')}`,
                },
              ),
            ]);
          } else if (elsewhere) {
            printProblems([
              problem('unplanned-runs', elsewhere, { file, severity: 'warning', hint: unplanned.suggestedSets.length ? `show them with: ${show}` : undefined }),
            ]);
          }
          if (options.open && !report.charts) {
            process.stderr.write('mlp-lab: --open: --no-charts writes no report.html, so there is nothing to open\n');
          } else if (options.open && report.charts && !(await openInBrowser(report.charts.page))) {
            process.stderr.write(
              `mlp-lab: could not open ${report.charts.page} (xdg-open, open or start is missing or failed, e.g. without a desktop); open it in a browser\n`,
            );
          }
        }
        return EXIT_OK;
      }),
    );
}

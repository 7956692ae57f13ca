import { readFileSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { comparisonReport } from '../compare/report-section.ts';
import { writeReport } from '../charts/write-report.ts';
import { DEFAULT_OUT } from '../store/layout.ts';
import { openInBrowser } from './open-file.ts';
import { reportLines } from './report-lines.ts';
import { collect, EXIT_OK, positiveInteger, printProblems, runCommand, SET_DESCRIPTION } from './common.ts';
import { checkStoreLayout, ensureWritableDir, loadAll, toExperimentToRun } from './experiments.ts';

/** `mlp-lab report FILE...`: rebuilds the results tables from the store, without training. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('rebuild results.csv, results.md, results.tex, the charts and report.html from finished runs, without training')
    .argument('<files...>', 'experiment files (YAML)')
    .option('--out <dir>', 'results folder', DEFAULT_OUT)
    .option('--set <KEY=VALUE>', `${SET_DESCRIPTION} (use the same --set as the run)`, collect, [] as string[])
    .option('--no-charts', 'rebuild only the tables')
    .option('--open', 'open report.html in the default browser afterwards')
    .option('--max-runs <n>', 'allow up to this many runs (overrides max_runs in the file)', positiveInteger)
    .addHelpText('after', ['', 'Examples:', '  $ mlp-lab report experiments/report.yaml --open', '  $ mlp-lab report experiments/relu-vs-sigmoid.yaml --no-charts', '  $ mlp-lab report experiments/relu-vs-sigmoid.yaml --set epochs=1 --out /tmp/smoke'].join('\n'))
    .action((files, options) => runCommand(async () => {
      const { loaded, warnings } = loadAll(files, { sets: options.set, maxRuns: options.maxRuns });
      printProblems(warnings);
      ensureWritableDir(options.out, '--out');
      checkStoreLayout(options.out, loaded.map((l) => l.experiment.name));
      for (const experiment of loaded.map((l) => toExperimentToRun(l))) {
        const report = await writeReport(options.out, experiment, { charts: options.charts, ...comparisonReport(options.out, experiment) });
        const markdown = report.tables.find((f) => f.endsWith('.md'))!;
        const lines = [`Written: ${report.tables.join(', ')}`, ...reportLines([report])];
        process.stdout.write(`${readFileSync(markdown, 'utf8')}\n${lines.join('\n')}\n`);
        if (options.open && report.charts && !(await openInBrowser(report.charts.page))) {
          process.stderr.write(`mlp-lab: no program to open ${report.charts.page} with (xdg-open, open or start); open it in a browser\n`);
        }
      }
      return EXIT_OK;
    }));
}

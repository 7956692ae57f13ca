import { readFileSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { writeResults } from '../report/write-results.ts';
import { DEFAULT_OUT } from '../store/layout.ts';
import { collect, EXIT_OK, positiveInteger, printProblems, runCommand, SET_DESCRIPTION } from './common.ts';
import { ensureWritableDir, loadAll, toExperimentToRun } from './experiments.ts';

/** `mlp-lab report FILE...`: rebuilds the results tables from the store, without training. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('rebuild results.csv, results.md and results.tex from finished runs, without training')
    .argument('<files...>', 'experiment files (YAML)')
    .option('--out <dir>', 'results folder', DEFAULT_OUT)
    .option('--set <KEY=VALUE>', `${SET_DESCRIPTION} (use the same --set as the run)`, collect, [] as string[])
    .option('--max-runs <n>', 'allow up to this many runs (overrides max_runs in the file)', positiveInteger)
    .addHelpText('after', ['', 'Examples:', '  $ mlp-lab report experiments/report.yaml', '  $ mlp-lab report experiments/relu-vs-sigmoid.yaml --set epochs=1'].join('\n'))
    .action((files, options) => runCommand(() => {
      const { loaded, warnings } = loadAll(files, { sets: options.set, maxRuns: options.maxRuns });
      printProblems(warnings);
      ensureWritableDir(options.out, '--out');
      for (const experiment of loaded.map((l) => toExperimentToRun(l))) {
        const written = writeResults(options.out, experiment);
        const markdown = written.find((f) => f.endsWith('.md'))!;
        process.stdout.write(`${readFileSync(markdown, 'utf8')}\nWritten: ${written.join(', ')}\n`);
      }
      return EXIT_OK;
    }));
}

import type { Command } from '@commander-js/extra-typings';
import { UserError } from '../errors.ts';
import { loadExperiment } from '../experiment/index.ts';
import { collect, EXIT_INVALID, EXIT_OK, positiveInteger, printProblems, runCommand, SET_DESCRIPTION } from './common.ts';

/** `mlp-lab validate FILE...`: checks experiment files, one summary line per valid file. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check experiment files: schema, layers against the data, grid; exit 0 when all are valid, 2 otherwise')
    .argument('<files...>', 'experiment files (YAML)')
    .option('--set <KEY=VALUE>', SET_DESCRIPTION, collect, [] as string[])
    .option('--max-runs <n>', 'allow up to this many runs (overrides max_runs in the file)', positiveInteger)
    .addHelpText('after', '\nExamples:\n  $ mlp-lab validate experiments/*.yaml\n  experiments/report.yaml: ok (report: 3 runs; varying layers, activations)')
    .action((files, options) => runCommand(() => {
      let invalid = false;
      for (const file of files) {
        try {
          const loaded = loadExperiment(file, { sets: options.set, maxRuns: options.maxRuns });
          printProblems(loaded.warnings);
          const varying = Object.keys(loaded.runs[0]?.varying ?? {});
          const count = `${loaded.runs.length} run${loaded.runs.length === 1 ? '' : 's'}`;
          process.stdout.write(`${file}: ok (${loaded.experiment.name}: ${count}${varying.length ? `; varying ${varying.join(', ')}` : ''})\n`);
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          printProblems(error.problems);
          invalid = true;
        }
      }
      return invalid ? EXIT_INVALID : EXIT_OK;
    }));
}

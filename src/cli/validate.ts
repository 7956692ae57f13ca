import type { Command } from '@commander-js/extra-typings';
import { UserError, type Problem } from '../errors.ts';
import { loadExperiment } from '../experiment/index.ts';
import { EXIT_INVALID, EXIT_OK, printProblems, runCommand } from './common.ts';
import { jsonOption, maxRunsOption, setOption } from './options.ts';

/** What `validate --json` prints per file. */
interface Validated {
  file: string;
  valid: boolean;
  /** Null when the file is invalid. */
  experiment: string | null;
  runs: number | null;
  varying: string[];
  /** Errors and warnings, as `FILE:LINE:COL` problems print them. */
  problems: readonly Problem[];
}

/** `mlp-lab validate FILE...`: checks experiment files, one summary line per valid file. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check experiment files: schema, layers against the data, grid; exit 0 when all are valid, 2 otherwise')
    .argument('<files...>', 'experiment files (YAML)')
    .addOption(setOption())
    .addOption(maxRunsOption())
    .addOption(jsonOption('one object per file with its problems'))
    .addHelpText(
      'after',
      "\nExamples:\n  $ mlp-lab validate experiments/*.yaml\n  experiments/report.yaml: ok (report: 3 runs; varying layers, activations)\n  $ mlp-lab validate experiments/*.yaml --json | jq -r '.[] | select(.valid | not) | .file'",
    )
    .action((files, options) =>
      runCommand(() => {
        const results = files.map((file) => validate(file, { sets: options.set, maxRuns: options.maxRuns }));
        if (options.json) {
          process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
        } else {
          for (const r of results) {
            printProblems(r.problems);
            if (!r.valid) continue;
            const count = `${r.runs} run${r.runs === 1 ? '' : 's'}`;
            process.stdout.write(`${r.file}: ok (${r.experiment}: ${count}${r.varying.length ? `; varying ${r.varying.join(', ')}` : ''})\n`);
          }
        }
        return results.every((r) => r.valid) ? EXIT_OK : EXIT_INVALID;
      }),
    );
}

function validate(file: string, options: { sets: readonly string[]; maxRuns: number | undefined }): Validated {
  try {
    const loaded = loadExperiment(file, options);
    return {
      file,
      valid: true,
      experiment: loaded.experiment.name,
      runs: loaded.runs.length,
      varying: Object.keys(loaded.runs[0]?.varying ?? {}),
      problems: loaded.warnings,
    };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { file, valid: false, experiment: null, runs: null, varying: [], problems: error.problems };
  }
}

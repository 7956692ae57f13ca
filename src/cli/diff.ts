import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from '@commander-js/extra-typings';
import { diffText } from '../compare/diff-format.ts';
import { fileAtRevision } from '../compare/git-revision.ts';
import { diffResults, hasChanges, parseResultsCsv, type CsvRow } from '../compare/results-diff.ts';
import { problem, UserError } from '../errors.ts';
import { experimentDir, resultsFolder } from '../store/layout.ts';
import { EXIT_FAILURE, EXIT_OK, printProblems, runCommand } from './common.ts';
import { jsonOption, plainOutOption } from './options.ts';
import { loadAll } from './experiments.ts';

/** A results table's rows; a file that is not CSV is invalid input, not a bug. */
function readTable(text: string, name: string): CsvRow[] {
  try {
    return parseResultsCsv(text);
  } catch (error) {
    throw new UserError(problem('bad-results-table', `${name} is not a readable CSV table (${(error as Error).message})`, { file: name }));
  }
}

function nonNegative(value: string): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x < 0) throw new InvalidArgumentError(`expected a number ≥ 0, got "${value}"`);
  return x;
}

/** `mlp-lab diff FILE...`: each experiment's results table in the working tree against a git revision. */
export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description("compare an experiment's results.csv with its committed version (git show, no checkout); exit 1 when results changed")
    .argument('<files...>', 'experiment files (YAML)')
    .option('--rev <revision>', 'the git revision to compare with', 'HEAD')
    .option('--tolerance <x>', 'numbers closer than this are unchanged', nonNegative, 0)
    .option('--metric <column>', 'the results.csv column shown per run', 'test_accuracy')
    .addOption(plainOutOption())
    .addOption(jsonOption("each table's changed, added and removed runs, one object per file,"))
    .addHelpText(
      'after',
      [
        '',
        'Runs are matched by run id; a run whose id changed but whose label did not (its configuration',
        'changed) is shown as changed. Costs, accuracies and status count; timings do not.',
        'Exit codes: 0 no change beyond the tolerance, 1 something changed (in any of the files), 2 invalid input.',
        '',
        'Examples:',
        '  $ mlp-lab diff experiments/report.yaml',
        '  $ mlp-lab diff experiments/relu-vs-sigmoid.yaml --rev HEAD~3 --tolerance 0.05',
        '  $ mlp-lab diff experiments/*.yaml --json | jq ".changed | length"',
      ].join('\n'),
    )
    .action((files, options) =>
      runCommand(() => {
        const { loaded, warnings } = loadAll(files, { sets: [] });
        printProblems(warnings);
        let changed = false;
        const out = resultsFolder(
          options.out,
          [],
          loaded.map((l) => l.file),
        );
        for (const [i, { file, experiment }] of loaded.entries()) {
          const table = path.join(experimentDir(out, experiment.name), 'results.csv');
          if (!existsSync(table)) {
            throw new UserError(problem('no-results', `no results table at ${table}`, { file, hint: `run \`mlp-lab report ${file}\` (or \`run\`) first` }));
          }
          const committed = fileAtRevision(table, options.rev);
          const before = committed === null ? null : readTable(committed, `${table} at ${options.rev}`);
          const after = readTable(readFileSync(table, 'utf8'), table);
          const columns = new Set([...(before ?? []), ...after].flatMap((row) => Object.keys(row)));
          if (columns.size > 0 && !columns.has(options.metric)) {
            throw new UserError(
              problem('unknown-column', `results.csv has no column \`${options.metric}\``, { file: '--metric', hint: `columns: ${[...columns].join(', ')}` }),
            );
          }
          const diff = diffResults(before, after, options.tolerance);
          changed ||= hasChanges(diff);
          if (options.json) {
            process.stdout.write(
              `${JSON.stringify({ file, table, revision: options.rev, existed: committed !== null, differs: hasChanges(diff), ...diff }, null, 2)}\n`,
            );
          } else {
            if (i > 0) process.stdout.write('\n');
            process.stdout.write(
              diffText(diff, { table, revision: options.rev, metric: options.metric, tolerance: options.tolerance, existed: committed !== null }),
            );
          }
        }
        return changed ? EXIT_FAILURE : EXIT_OK;
      }),
    );
}

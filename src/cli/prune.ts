import { existsSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { problem } from '../errors.ts';
import { experimentDir, lockFile, resultsFolder } from '../store/layout.ts';
import { acquireLock, LockedError } from '../store/lock.ts';
import { removeEntries, unplannedEntries } from '../store/prune.ts';
import { EXIT_FAILURE, EXIT_OK, printProblems, runCommand } from './common.ts';
import { loadAll } from './experiments.ts';
import { jsonOption, outOption, setOption } from './options.ts';

/** `mlp-lab prune FILE`: removes the run folders and checkpoints that the experiment no longer plans. */
export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description('remove the run folders and checkpoints of runs that the experiment no longer plans, listing them first')
    .argument('<file>', 'experiment file (YAML)')
    .option('--dry-run', 'list what would be removed, and remove nothing')
    .addOption(jsonOption('what is (or would be) removed'))
    .addOption(outOption())
    .addOption(setOption('read'))
    .addHelpText(
      'after',
      [
        '',
        'Runs the experiment plans are never touched, finished or not: only runs of grid values,',
        'variants or settings since removed from the file (or from --set trials in the same folder).',
        "Refused while a `mlp-lab run` holds the experiment's results folder.",
        '',
        'Examples:',
        '  $ mlp-lab prune experiments/relu-vs-sigmoid.yaml --dry-run',
        '  $ mlp-lab prune experiments/relu-vs-sigmoid.yaml',
      ].join('\n'),
    )
    .action((file, options) =>
      runCommand(async () => {
        const { loaded, warnings } = loadAll([file], { sets: options.set });
        printProblems(warnings);
        const experiment = loaded[0]!;
        const out = resultsFolder(options.out, options.set, [experiment.file]);
        const name = experiment.experiment.name;
        if (!existsSync(experimentDir(out, name))) {
          process.stdout.write(`nothing to prune: ${experimentDir(out, name)}/ does not exist\n`);
          return EXIT_OK;
        }
        let lock: Awaited<ReturnType<typeof acquireLock>>;
        try {
          // Held while listing and removing, so that a run cannot start writing a folder meanwhile.
          lock = await acquireLock(lockFile(out, name), { wait: false, command: 'mlp-lab prune' });
        } catch (error) {
          if (!(error instanceof LockedError)) throw error;
          printProblems([problem('results-in-use', error.message, { file: out, hint: 'prune when the run has finished' })]);
          return EXIT_FAILURE;
        }
        try {
          const entries = unplannedEntries(out, name, new Set(experiment.runs.map((r) => r.id)));
          if (!options.dryRun) removeEntries(entries);
          if (options.json) {
            process.stdout.write(
              `${JSON.stringify({ file, results: experimentDir(out, name), dry_run: options.dryRun ?? false, removed: entries.map((e) => ({ path: e.path, run_id: e.runId, kind: e.kind, status: e.status })) }, null, 2)}\n`,
            );
            return EXIT_OK;
          }
          const verb = options.dryRun ? 'would remove' : 'removed';
          for (const e of entries) process.stdout.write(`${verb.padEnd(12)} ${e.path}${e.kind === 'run' ? `  (${e.status} run)` : '  (checkpoint)'}\n`);
          process.stdout.write(
            entries.length === 0
              ? `nothing to prune in ${experimentDir(out, name)}/: every run folder there is planned\n`
              : `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'} not planned by ${file} ${options.dryRun ? 'would be removed (--dry-run)' : 'removed'}; the ${experiment.runs.length} planned runs are untouched\n`,
          );
          return EXIT_OK;
        } finally {
          lock.release();
        }
      }),
    );
}

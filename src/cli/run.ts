import { availableParallelism } from 'node:os';
import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { ProgressDisplay } from '../run/progress.ts';
import { runExperiments, type RunSummary } from '../run/run-experiments.ts';
import { DEFAULT_OUT } from '../store/layout.ts';
import { collect, EXIT_FAILURE, EXIT_OK, positiveInteger, printProblems, runCommand, SET_DESCRIPTION } from './common.ts';
import { dataProblem, ensureWritableDir, loadAll, selectRuns, toExperimentToRun } from './experiments.ts';

/** Exit code after Ctrl-C, as shells report a process ended by SIGINT. */
const EXIT_INTERRUPTED = 130;

/** `mlp-lab run FILE...`: trains every run that is not finished yet, in parallel, and writes the results tables. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('train the runs of experiments that are not finished yet, on all cores, and write the results tables')
    .argument('<files...>', 'experiment files (YAML)')
    .option('-j, --jobs <n>', 'runs in parallel, each on its own thread', positiveInteger, availableParallelism())
    .option('--out <dir>', 'results folder', DEFAULT_OUT)
    .option('--force', 'retrain runs that are already finished')
    .option('--set <KEY=VALUE>', SET_DESCRIPTION, collect, [] as string[])
    .addOption(new Option('--backend <name>', 'numeric kernels for every run (same as --set backend=NAME)').choices(['auto', 'native', 'wasm', 'js'] as const))
    .option('--only <run>', 'run only this run id (or 4+ character prefix), variant id, label, or KEY=VALUE of a parameter that varies (repeatable)', collect, [] as string[])
    .option('--fail-fast', 'stop everything at the first failed run')
    .option('--max-runs <n>', 'allow up to this many runs (overrides max_runs in the file)', positiveInteger)
    .option('-q, --quiet', 'print only the summary')
    .addHelpText('after', [
      '',
      'Finished runs (results/<name>/runs/<id>/metrics.json) are reused; a failed or interrupted run is',
      'retrained by the next `run`. Ctrl-C stops the runs in flight; finished runs stay recorded.',
      'The tables show the plan as given (with --set, the overridden runs): use another --out for',
      'quick trials so that committed results stay as they are.',
      'Exit codes: 0 all runs finished (diverged runs count as finished), 1 a run failed, 2 invalid',
      'input, 130 interrupted.',
      '',
      'Examples:',
      '  $ mlp-lab run experiments/report.yaml',
      '  $ mlp-lab run experiments/relu-vs-sigmoid.yaml --set epochs=1 --set dataset.train_limit=5000 --out /tmp/smoke',
      '  $ mlp-lab run experiments/report.yaml --only relu --force --backend wasm',
      '  $ mlp-lab run experiments/relu-vs-sigmoid.yaml --only activation=relu --only learning_rate=0.1',
    ].join('\n'))
    .action((files, options) => runCommand(async () => {
      const sets = options.backend ? [...options.set, `backend=${options.backend}`] : options.set;
      const { loaded, warnings } = loadAll(files, { sets, maxRuns: options.maxRuns });
      printProblems(warnings);
      const experiments = selectRuns(loaded.map((l) => toExperimentToRun(l)), loaded, options.only);
      ensureWritableDir(options.out, '--out');

      const controller = new AbortController();
      const onSigint = () => {
        if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED); // a second Ctrl-C does not wait
        process.stderr.write('\nStopping the runs in flight (Ctrl-C again to quit at once)…\n');
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      const live = process.stdout.isTTY === true;
      let summary: RunSummary;
      try {
        summary = await runExperiments(experiments, {
          out: options.out,
          jobs: options.jobs,
          force: options.force ?? false,
          failFast: options.failFast ?? false,
          signal: controller.signal,
          display: (pending, work) =>
            new ProgressDisplay(pending, work, { live, quiet: options.quiet ?? false, color: live && !process.env.NO_COLOR }),
        });
      } catch (error) {
        throw dataProblem(error) ?? error;
      } finally {
        process.off('SIGINT', onSigint);
      }
      printSummary(summary, controller.signal.aborted);
      if (controller.signal.aborted) return EXIT_INTERRUPTED;
      return summary.failed > 0 ? EXIT_FAILURE : EXIT_OK;
    }));
}

function printSummary(s: RunSummary, interrupted: boolean): void {
  const parts = [
    `${s.completed} trained`,
    `${s.reused} reused`,
    s.diverged ? `${s.diverged} diverged` : null,
    s.failed ? `${s.failed} failed` : null,
    s.stopped ? `${s.stopped} stopped` : null,
    s.skipped ? `${s.skipped} not started` : null,
  ].filter((p) => p !== null);
  const lines = [`${s.planned} run${s.planned === 1 ? '' : 's'}: ${parts.join(', ')}.`];
  for (const [backend, note] of s.backends) lines.push(`Kernels: ${backend}${note ? ` (${note})` : ''}.`);
  if (s.failed) lines.push('Failed runs keep their error in runs/<id>/error.json and are retried by the next run.');
  if (interrupted) lines.push(`Interrupted: finished runs are kept. Run the same command again to continue where it stopped.`);
  const tables = s.resultFiles.filter((f) => f.endsWith('.md'));
  if (tables.length) lines.push(`Results: ${tables.join(', ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

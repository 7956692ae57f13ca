import { availableParallelism } from 'node:os';
import type { Command } from '@commander-js/extra-typings';

import { liveTerminal, ProgressDisplay } from '../run/progress.ts';
import { runExperiments, type RunSummary } from '../run/run-experiments.ts';
import { DEFAULT_SET_OUT, effectiveOverrides, resultsFolder } from '../store/layout.ts';
import { problem, UserError } from '../errors.ts';
import { NotEnoughSpace } from '../run/disk-space.ts';
import { LockedError } from '../store/lock.ts';
import { reportLines } from './report-lines.ts';
import { EXIT_FAILURE, EXIT_OK, positiveInteger, printProblems, runCommand } from './common.ts';
import { backendOption, jsonOption, maxRunsOption, onlyOption, outOption, setOption } from './options.ts';
import { dataProblem, loadAll } from './experiments.ts';
import { selectRuns } from '../experiment/select-runs.ts';
import { reportInput } from '../publish/report-input.ts';
import { ResultsPublisher, type ExperimentToRun } from '../publish/results-publisher.ts';
import { plannedExperiments, searchStage, type PlannedExperiment } from './search-plans.ts';
import { bestTrialLines } from './search-lines.ts';
import { checkJobsMemory } from '../run/jobs-memory.ts';
import { checkStoreLayout } from '../store/check-layout.ts';
import { ensureWritableDir } from '../store/writable-folder.ts';

/** Exit codes after Ctrl-C / SIGTERM, as shells report a process ended by that signal. */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/** `mlp-lab run FILE...`: trains every run that is not finished yet, in parallel, and writes the results tables. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('train the runs of experiments that are not finished yet, on all cores, and write the results tables, charts and report.html')
    .argument('<files...>', 'experiment files (YAML)')
    .option('-j, --jobs <n>', 'runs in parallel, each in its own worker process', positiveInteger, availableParallelism())
    .addOption(outOption())
    .option('--force', 'retrain runs that are already finished')
    .addOption(setOption())
    .addOption(backendOption())
    .addOption(onlyOption('run'))
    .option('--fail-fast', 'stop everything at the first failed run')
    .option('--wait', 'wait for another `mlp-lab run` using the same results folder to finish, instead of refusing')
    .addOption(maxRunsOption())
    .option('-q, --quiet', 'print only the summary')
    .addOption(jsonOption('the summary (what was trained, reused, failed, written) on stdout, with progress on stderr,'))
    .option('--no-charts', 'write only the tables: no charts/ and no report.html (quick trials)')
    .option('--queue <url>', 'train on the workers of this queue (redis://HOST:PORT) instead of this machine; --jobs does not apply')
    .addHelpText(
      'after',
      [
        '',
        'Finished runs (results/<name>/runs/<id>/metrics.json) are reused. Runs save checkpoints (every',
        '10 s of training by default; `checkpoint: {every: ...}`): an interrupted or killed run continues',
        'from its last one at the next `run`, with the same results as if it had never stopped.',
        'Ctrl-C or SIGTERM: the runs in flight checkpoint and stop within a second or two.',
        'A run that fails (an error, or its worker process crashing or running out of memory) is',
        'recorded as failed, the others go on, and the next `run` retries it.',
        'One `run` at a time per results folder: a second one refuses, naming the first (or --wait).',
        `Runs with --set (other than backend) go to ${DEFAULT_SET_OUT}/ unless --out is given, and their tables`,
        'list the overrides, so that a quick trial never rewrites the results of the experiment as written.',
        'Exit codes: 0 all runs finished (diverged and early-stopped runs count as finished), 1 a run',
        'failed or the results folder is in use, 2 invalid input, 130 interrupted (Ctrl-C), 143 SIGTERM.',
        '',
        'Examples:',
        '  $ mlp-lab run experiments/report.yaml',
        '  $ mlp-lab run experiments/relu-vs-sigmoid.yaml --set epochs=1 --set dataset.train_limit=5000 --out /tmp/smoke',
        '  $ mlp-lab run experiments/report.yaml --only relu --force --backend wasm',
        '  $ mlp-lab run experiments/relu-vs-sigmoid.yaml --only activation=relu --only learning_rate=0.1',
        '  $ mlp-lab run experiments/relu-vs-sigmoid.yaml --queue redis://10.0.0.5:6379   # on `mlp-lab worker`s',
      ].join('\n'),
    )
    .action((files, options) =>
      runCommand(async () => {
        const sets = options.backend ? [...options.set, `backend=${options.backend}`] : options.set;
        const { loaded, warnings } = loadAll(files, { sets, maxRuns: options.maxRuns });
        printProblems(warnings);
        const overrides = effectiveOverrides(sets);
        const out = resultsFolder(
          options.out,
          sets,
          loaded.map((l) => l.file),
        );
        const planOptions = { sets, maxRuns: options.maxRuns };
        const select = (planned: PlannedExperiment[]) =>
          selectRuns(
            planned.map((l) => ({ ...reportInput(l), overrides, search: l.search })),
            planned,
            options.only,
          );
        const firstPlan = plannedExperiments(loaded, out, planOptions);
        const experiments = select(firstPlan);
        // A search's next round, once the runs of the last are recorded; null when no experiment has new runs.
        const nextRound = (current: readonly ExperimentToRun[]) => {
          const planned = plannedExperiments(loaded, out, planOptions);
          const next = select(planned);
          // New runs, or a pruned search's trials planned to another rung.
          const signature = (experiments: readonly ExperimentToRun[]) =>
            JSON.stringify(experiments.map((e) => e.selected.map((r) => [r.id, r.rung?.untilEpoch])));
          if (signature(next) === signature(current)) {
            publisher.runsPlanned(next); // the same runs, with the last round's results for the Search section
            return null;
          }
          return { experiments: next, stage: searchStage(planned) };
        };
        checkJobsMemory(experiments, options.jobs);
        ensureWritableDir(out, '--out');
        checkStoreLayout(
          out,
          loaded.map((l) => l.experiment.name),
        );
        // The queue's modules (BullMQ, ioredis) load only for --queue: a local run does not pay for them.
        const queue = options.queue === undefined ? null : { ...(await import('../queue/connection.ts')), ...(await import('../queue/producer.ts')) };
        const connection = queue ? queue.parseQueueUrl(options.queue!) : null;
        if (queue && connection) await queue.checkReachable(connection);

        const controller = new AbortController();
        let stoppedBy: keyof typeof EXIT_CODES | null = null;
        const onSignal = (signal: keyof typeof EXIT_CODES) => () => {
          if (controller.signal.aborted) {
            // a second signal does not wait (the locks are released on exit)
            process.stderr.write(
              `${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again: quit at once; finished runs are kept, and the next run continues the others from their last checkpoints\n`,
            );
            process.exit(EXIT_CODES[signal]);
          }
          stoppedBy = signal;
          const what = connection
            ? 'stopped waiting; the queued runs go on on the workers'
            : 'the runs in flight save a checkpoint and stop (Ctrl-C again to quit at once)…';
          process.stderr.write(`\n${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'}: ${what}\n`);
          controller.abort();
        };
        const handlers = { SIGINT: onSignal('SIGINT'), SIGTERM: onSignal('SIGTERM') };
        process.on('SIGINT', handlers.SIGINT);
        process.on('SIGTERM', handlers.SIGTERM);
        // With --json, stdout carries only the summary: progress goes to stderr.
        const stream = options.json ? process.stderr : process.stdout;
        const live = liveTerminal(stream);
        const publisher = new ResultsPublisher(out, experiments, { charts: options.charts });
        let summary: RunSummary;
        try {
          summary = await runExperiments(experiments, {
            out,
            jobs: options.jobs,
            force: options.force ?? false,
            failFast: options.failFast ?? false,
            wait: options.wait ?? false,
            command: ['mlp-lab', ...process.argv.slice(2)].join(' '),
            listener: publisher,
            stage: searchStage(firstPlan),
            nextRound,
            signal: controller.signal,
            ...(queue && connection
              ? { executor: queue.queueExecutor({ connection, force: options.force ?? false, log: (line) => process.stderr.write(`${line}\n`) }) }
              : {}),
            display: (pending, work, stage) =>
              new ProgressDisplay(pending, work, { live, quiet: options.quiet ?? false, color: live && !process.env.NO_COLOR, stream, stage }),
          });
        } catch (error) {
          if (error instanceof LockedError) {
            printProblems([problem('results-in-use', error.message, { file: out, hint: 'wait for it to finish, or add --wait to start when it has' })]);
            return EXIT_FAILURE;
          }
          throw dataProblem(error) ?? storageProblem(error, out) ?? error;
        } finally {
          process.off('SIGINT', handlers.SIGINT);
          process.off('SIGTERM', handlers.SIGTERM);
        }
        const exitCode = stoppedBy ? EXIT_CODES[stoppedBy] : summary.failed > 0 || summary.resultProblems.length > 0 ? EXIT_FAILURE : EXIT_OK;
        if (options.json) process.stdout.write(`${JSON.stringify(summaryJson(summary, publisher, stoppedBy, exitCode), null, 2)}\n`);
        else {
          printSummary(summary, publisher, stoppedBy !== null, connection !== null);
          const searched = plannedExperiments(loaded, out, planOptions).flatMap((p) => (p.search ? bestTrialLines(p.experiment.name, p.search) : []));
          if (searched.length > 0) process.stdout.write(`${searched.join('\n')}\n`);
        }
        return exitCode;
      }),
    );
}

/** A results folder that cannot be written, or is too full, is found before training: invalid input. */
function storageProblem(error: unknown, out: string): UserError | null {
  if (error instanceof NotEnoughSpace)
    return new UserError(problem('disk-full', error.message, { file: '--out', hint: 'free some space, or choose another folder with --out' }));
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || code === 'ENOSPC') {
    // Node's file-system messages begin with the code already ("EPERM: operation not permitted, …").
    const message = (error as Error).message;
    const reason = message.startsWith(`${code}:`) ? message : `${code}: ${message}`;
    return new UserError(
      problem('out-not-writable', `cannot write results to ${out} (${reason})`, { file: '--out', hint: 'choose another folder with --out' }),
    );
  }
  return null;
}

/** `run --json`'s summary: the counts of the text summary, and what was written where. */
function summaryJson(s: RunSummary, publisher: ResultsPublisher, stoppedBy: string | null, exitCode: number) {
  return {
    exit_code: exitCode,
    interrupted_by: stoppedBy,
    planned: s.planned,
    trained: s.completed,
    reused: s.reused,
    early_stopped: s.earlyStopped,
    diverged: s.diverged,
    failed: s.failed,
    not_started: s.skipped,
    stopped_at_rungs: s.rungs,
    resumed: s.resumed,
    stopped: s.stopped,
    checkpoints: { count: s.checkpoints.count, seconds: s.checkpoints.seconds, training_seconds: s.checkpoints.trainingSeconds },
    checkpoint_notes: s.checkpointNotes,
    backends: Object.fromEntries(s.backends),
    changed_files: s.changedFiles,
    result_problems: s.resultProblems,
    results: publisher.written.map((w) => ({ tables: w.tables, page: w.charts?.page ?? null, charts: w.charts?.files.length ?? 0 })),
  };
}

function printSummary(s: RunSummary, publisher: ResultsPublisher, interrupted: boolean, queued: boolean): void {
  const parts = [
    `${s.completed} trained`,
    `${s.reused} reused`,
    s.earlyStopped ? `${s.earlyStopped} early-stopped` : null,
    s.diverged ? `${s.diverged} diverged` : null,
    s.failed ? `${s.failed} failed` : null,
    s.stopped.length ? `${s.stopped.length} stopped` : null,
    s.skipped ? `${s.skipped} not started` : null,
    s.rungs ? `${s.rungs} stopped at a rung` : null,
  ].filter((p) => p !== null);
  const lines = [`${s.planned} run${s.planned === 1 ? '' : 's'}: ${parts.join(', ')}.`];
  if (s.resumed) lines.push(`${s.resumed} run${s.resumed === 1 ? '' : 's'} continued from a checkpoint.`);
  for (const note of s.checkpointNotes) lines.push(`Checkpoint not used: ${note}.`);
  for (const [backend, note] of s.backends) lines.push(`Kernels: ${backend}${note ? ` (${note})` : ''}.`);
  if (s.checkpoints.count > 0) {
    const share = s.checkpoints.trainingSeconds > 0 ? ` (${((100 * s.checkpoints.seconds) / s.checkpoints.trainingSeconds).toFixed(2)}% of training)` : '';
    lines.push(`Checkpoints: ${s.checkpoints.count} written in ${s.checkpoints.seconds.toFixed(3)} s${share}.`);
  }
  if (s.failed) lines.push('Failed runs keep their error in runs/<id>/error.json and are retried by the next run.');
  for (const r of s.stopped) {
    lines.push(
      `Stopped: ${r.label} at iteration ${r.iteration} of ${r.iterations} (epoch ${r.epoch} of ${r.epochs}), ${r.checkpointed ? 'checkpoint saved' : 'without a checkpoint (checkpoints are off)'}.`,
    );
  }
  lines.push(...s.resultProblems);
  if (interrupted && queued) lines.push('Interrupted: the queued runs go on on the workers. Run the same command again to collect their results.');
  else if (interrupted) lines.push('Interrupted: finished runs are kept. Run the same command again to continue where it stopped.');
  for (const file of s.changedFiles) {
    lines.push(
      `${file} changed while this ran: the runs used the version read at the start (each run's config.json holds it). Run again to train what changed.`,
    );
  }
  const tables = publisher.tables.filter((f) => f.endsWith('.md'));
  if (tables.length) lines.push(`Results: ${tables.join(', ')}`);
  lines.push(...reportLines(publisher.written));
  process.stdout.write(`${lines.join('\n')}\n`);
}

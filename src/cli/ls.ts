import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { UserError } from '../errors.ts';
import { loadExperiment } from '../experiment/index.ts';
import { experimentDir, resultsFolder, runDir } from '../store/layout.ts';
import { readRunState } from '../store/run-record.ts';
import { textTable } from './table.ts';
import { EXIT_OK, runCommand } from './common.ts';
import { jsonOption, plainOutOption } from './options.ts';

interface Status {
  file: string;
  experiment: string | null;
  runs: number;
  finished: number;
  failed: number;
  to_run: number;
  /** When a run of it last finished or failed (ISO 8601), or null. */
  last_change: string | null;
  results: string | null;
  /** The first problem of a file that does not load. */
  problem: string | null;
}

/** `mlp-lab ls [FILE...]` (alias `status`): every experiment with its runs finished, failed and to run. */
export function registerLs(program: Command): void {
  program
    .command('ls')
    .alias('status')
    .description('list experiments with their runs finished, failed and to run, when they last changed, and where their results are')
    .argument('[files...]', 'experiment files (default: every .yaml file in experiments/)')
    .addOption(jsonOption('one object per experiment'))
    .addOption(plainOutOption())
    .addHelpText(
      'after',
      [
        '',
        'A file that does not load is listed with its first problem (mlp-lab validate FILE shows all).',
        'Exit codes: 0 every file loads, 2 some do not.',
        '',
        'Examples:',
        '  $ mlp-lab ls',
        '  $ mlp-lab status experiments/report.yaml --json',
      ].join('\n'),
    )
    .action((files, options) =>
      runCommand(() => {
        const chosen = files.length > 0 ? files : defaultFiles();
        const statuses = chosen.map((file) => status(file, options.out));
        if (options.json) {
          process.stdout.write(`${JSON.stringify(statuses, null, 2)}\n`);
        } else if (statuses.length === 0) {
          process.stdout.write('no experiment files in experiments/\n');
        } else {
          const rows = statuses.map((s) =>
            s.problem !== null
              ? [s.file, s.experiment ?? '—', '—', '—', '—', '—', '—', `invalid: ${s.problem}`]
              : [s.file, s.experiment ?? '', s.runs, s.finished, s.failed, s.to_run, s.last_change?.slice(0, 16).replace('T', ' ') ?? '—', `${s.results}/`],
          );
          process.stdout.write(`${textTable(['file', 'experiment', 'runs', 'finished', 'failed', 'to run', 'last change (UTC)', 'results'], rows)}\n`);
        }
        return statuses.some((s) => s.problem !== null) ? 2 : EXIT_OK;
      }),
    );
}

function defaultFiles(): string[] {
  const dir = 'experiments';
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(dir, name));
}

function status(file: string, out: string | undefined): Status {
  let loaded: ReturnType<typeof loadExperiment>;
  try {
    loaded = loadExperiment(file);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const first = error.problems.find((p) => p.severity === 'error') ?? error.problems[0];
    return {
      file,
      experiment: null,
      runs: 0,
      finished: 0,
      failed: 0,
      to_run: 0,
      last_change: null,
      results: null,
      problem: first ? `${first.line ? `line ${first.line}: ` : ''}${first.message}` : 'invalid',
    };
  }
  const folder = resultsFolder(out, [], [file]);
  const name = loaded.experiment.name;
  let finished = 0;
  let failed = 0;
  let last = 0;
  for (const run of loaded.runs) {
    const dir = runDir(folder, name, run.id);
    const state = readRunState(dir);
    if (state === null) continue;
    if ('metrics' in state) finished++;
    else failed++;
    // The time the record gives, not the file's: a clone or a checkout gives every file its own.
    const recorded = Date.parse('metrics' in state ? state.metrics.finished_at : state.failure.failed_at);
    if (Number.isFinite(recorded)) last = Math.max(last, recorded);
    else
      for (const record of ['metrics.json', 'error.json']) {
        const at = path.join(dir, record);
        if (existsSync(at)) last = Math.max(last, statSync(at).mtimeMs);
      }
  }
  return {
    file,
    experiment: name,
    runs: loaded.runs.length,
    finished,
    failed,
    to_run: loaded.runs.length - finished - failed,
    last_change: last > 0 ? new Date(last).toISOString() : null,
    results: experimentDir(folder, name),
    problem: null,
  };
}

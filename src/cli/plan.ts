import path from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { describeTable, type ResolvedRun } from '../experiment/index.ts';
import { selectRuns } from '../experiment/select-runs.ts';
import { experimentDir, isRunFinished, resultsFolder, runDir } from '../store/layout.ts';
import { EXIT_OK, printProblems, runCommand } from './common.ts';
import { loadAll } from './experiments.ts';
import { plannedExperiments, type PlannedExperiment } from './search-plans.ts';
import { searchJson, searchPlanLines } from './search-lines.ts';
import { jsonOption, maxRunsOption, onlyOption, outOption, setOption } from './options.ts';
import { formatBytes } from '../experiment/format-bytes.ts';
import { formatFlops, textTable } from './table.ts';

/** `mlp-lab plan FILE...`: the runs each experiment expands to, and which are already finished. */
export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('list the runs an experiment expands to, with their ids, what varies, the work, and which are finished')
    .argument('<files...>', 'experiment files (YAML)')
    .addOption(jsonOption('the plan (runs with their full configs), one object per file,'))
    .addOption(setOption())
    .addOption(maxRunsOption())
    .addOption(onlyOption('list'))
    .addOption(outOption())
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ mlp-lab plan experiments/report.yaml',
        '  $ mlp-lab plan experiments/relu-vs-sigmoid.yaml --set epochs=1 --set dataset.train_limit=5000',
        '  $ mlp-lab plan experiments/report.yaml --json | jq -r ".runs[].id"',
        '  $ mlp-lab plan experiments/*.yaml --only activation=relu',
      ].join('\n'),
    )
    .action((files, options) =>
      runCommand(() => {
        const { loaded, warnings } = loadAll(files, { sets: options.set, maxRuns: options.maxRuns });
        printProblems(warnings);
        const out = resultsFolder(
          options.out,
          options.set,
          loaded.map((l) => l.file),
        );
        const planned = plannedExperiments(loaded, out, { sets: options.set, maxRuns: options.maxRuns });
        const selected = selectRuns(planned, planned, options.only);
        loaded.forEach((l, i) => {
          if (i > 0 && !options.json) process.stdout.write('\n');
          printPlan(planned[i]!, selected[i]!.selected, out, options.json ?? false, options.out === undefined ? where(l.file, out) : '');
        });
        return EXIT_OK;
      }),
    );
}

function printPlan(loaded: PlannedExperiment, selected: readonly ResolvedRun[], out: string, json: boolean, note: string): void {
  const file = loaded.file;
  const name = loaded.experiment.name;
  const runs = selected.map((run) => ({ ...run, finished: isRunFinished(out, name, run.id), dir: runDir(out, name, run.id) }));
  const finished = runs.filter((r) => r.finished).length;
  const totalFlops = runs.reduce((sum, r) => sum + r.work.flops, 0);

  if (json) {
    const plan = {
      file,
      experiment: name,
      description: loaded.experiment.description ?? '',
      dataset: loaded.dataset.identity,
      results: experimentDir(out, name),
      count: runs.length,
      finished,
      work: { flops: totalFlops },
      ...(loaded.search ? { search: searchJson(loaded.search) } : {}),
      runs,
    };
    process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    return;
  }

  const varying = Object.keys(runs[0]?.varying ?? {});
  const hasVariants = runs.some((r) => r.variant !== null);
  // With variants, parameters that only change with the variant are summed up by its label.
  const shownVarying = hasVariants ? varying.filter((k) => runs.some((r) => r.label.includes(` ${k}=`))) : varying;
  const header = ['#', 'run id', ...(hasVariants ? ['variant'] : []), ...shownVarying, 'epochs', 'iterations', 'work', 'memory', 'status'];
  const rows = runs.map((r) => [
    r.index,
    r.id,
    ...(hasVariants ? [variantLabel(r.label, r.varying, shownVarying)] : []),
    ...shownVarying.map((k) => String(r.varying[k])),
    r.config.epochs,
    r.work.iterations.toLocaleString('en-US'),
    formatFlops(r.work.flops),
    formatBytes(r.work.bytes),
    r.finished ? 'finished' : 'to run',
  ]);
  const picked = selected.length < loaded.runs.length ? ` (--only picked ${selected.length} of ${loaded.runs.length})` : '';
  process.stdout.write(`${name} (${file}, data: ${loaded.dataset.identity})\n`);
  const table = describeTable(loaded.dataset);
  process.stdout.write(table === null ? '\n' : `${table}\n\n`);
  if (loaded.search) process.stdout.write(`${searchPlanLines(loaded.search).join('\n')}\n\n`);
  process.stdout.write(`${textTable(header, rows)}\n\n`);
  process.stdout.write(
    `${runs.length} run${runs.length === 1 ? '' : 's'}${picked}: ${finished} finished, ${runs.length - finished} to run; ${formatFlops(totalFlops)} of work in all (training and evaluation). Results: ${experimentDir(out, name)}/${note}\n`,
  );
}

/** Why the default results folder is where it is, when it is not in the working directory. */
function where(file: string, out: string): string {
  if (!out.startsWith('..') && !path.isAbsolute(out)) return '';
  return ` (found from where ${file} is: see "Where results go" in docs/cli.md)`;
}

/** The variant's own label: the run label without the `key=value` parts shown in their own columns. */
function variantLabel(label: string, varying: Record<string, unknown>, shown: string[]): string {
  return shown.reduce((text, key) => text.replace(` ${key}=${String(varying[key])}`, ''), label);
}

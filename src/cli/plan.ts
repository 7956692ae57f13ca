import type { Command } from '@commander-js/extra-typings';
import { describeTable, loadExperiment } from '../experiment/index.ts';
import { DEFAULT_OUT, DEFAULT_SET_OUT, experimentDir, isRunFinished, resultsFolder, runDir } from '../store/layout.ts';
import { collect, EXIT_OK, positiveInteger, printProblems, runCommand, SET_DESCRIPTION } from './common.ts';
import { formatBytes } from '../experiment/memory.ts';
import { formatFlops, textTable } from './table.ts';

/** `mlp-lab plan FILE`: the runs an experiment expands to, and which are already finished. */
export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('list the runs an experiment expands to, with their ids, what varies, the work, and which are finished')
    .argument('<file>', 'experiment file (YAML)')
    .option('--json', 'print the plan as JSON (runs with their full configs) for scripts')
    .option('--set <KEY=VALUE>', SET_DESCRIPTION, collect, [] as string[])
    .option('--max-runs <n>', 'allow up to this many runs (overrides max_runs in the file)', positiveInteger)
    .option('--out <dir>', `results folder to look for finished runs in (default: ${DEFAULT_OUT}, or ${DEFAULT_SET_OUT} with --set)`)
    .addHelpText('after', [
      '',
      'Examples:',
      '  $ mlp-lab plan experiments/report.yaml',
      '  $ mlp-lab plan experiments/relu-vs-sigmoid.yaml --set epochs=1 --set dataset.train_limit=5000',
      '  $ mlp-lab plan experiments/report.yaml --json | jq -r ".runs[].id"',
    ].join('\n'))
    .action((file, options) => runCommand(() => {
      const loaded = loadExperiment(file, { sets: options.set, maxRuns: options.maxRuns });
      printProblems(loaded.warnings);
      const name = loaded.experiment.name;
      const out = resultsFolder(options.out, options.set);
      const runs = loaded.runs.map((run) => ({ ...run, finished: isRunFinished(out, name, run.id), dir: runDir(out, name, run.id) }));
      const finished = runs.filter((r) => r.finished).length;
      const totalFlops = runs.reduce((sum, r) => sum + r.work.flops, 0);

      if (options.json) {
        const plan = {
          file, experiment: name, description: loaded.experiment.description ?? '', dataset: loaded.dataset.identity,
          results: experimentDir(out, name), count: runs.length, finished, work: { flops: totalFlops }, runs,
        };
        process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
        return EXIT_OK;
      }

      const varying = Object.keys(runs[0]?.varying ?? {});
      const hasVariants = runs.some((r) => r.variant !== null);
      // With variants, parameters that only change with the variant are summed up by its label.
      const shownVarying = hasVariants ? varying.filter((k) => runs.some((r) => r.label.includes(` ${k}=`))) : varying;
      const header = ['#', 'run id', ...(hasVariants ? ['variant'] : []), ...shownVarying, 'epochs', 'iterations', 'work', 'memory', 'status'];
      const rows = runs.map((r) => [
        r.index, r.id,
        ...(hasVariants ? [variantLabel(r.label, r.varying, shownVarying)] : []),
        ...shownVarying.map((k) => String(r.varying[k])),
        r.config.epochs, r.work.iterations.toLocaleString('en-US'), formatFlops(r.work.flops), formatBytes(r.work.bytes), r.finished ? 'finished' : 'to run',
      ]);
      process.stdout.write(`${name} (${file}, data: ${loaded.dataset.identity})\n`);
      const table = describeTable(loaded.dataset);
      process.stdout.write(table === null ? '\n' : `${table}\n\n`);
      process.stdout.write(`${textTable(header, rows)}\n\n`);
      process.stdout.write(`${runs.length} run${runs.length === 1 ? '' : 's'}: ${finished} finished, ${runs.length - finished} to run; ${formatFlops(totalFlops)} of work in all (training and evaluation). Results: ${experimentDir(out, name)}/\n`);
      return EXIT_OK;
    }));
}

/** The variant's own label: the run label without the `key=value` parts shown in their own columns. */
function variantLabel(label: string, varying: Record<string, unknown>, shown: string[]): string {
  return shown.reduce((text, key) => text.replace(` ${key}=${String(varying[key])}`, ''), label);
}

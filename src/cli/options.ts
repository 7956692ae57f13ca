import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { isMetricName, METRIC_NAMES, type MetricName } from '../compare/metrics.ts';
import { BACKENDS } from '../experiment/schema.ts';
import { DEFAULT_OUT, DEFAULT_SET_OUT } from '../store/layout.ts';
import { collect, positiveInteger } from './common.ts';

/**
 * The options several commands share, each spelled and described once here, so that `--set` or
 * `--out` means the same in every command's --help.
 */

const SET_DESCRIPTION = 'override a setting for every run, variants included (repeatable), e.g. --set epochs=1 --set dataset.train_limit=5000';

/** `--set KEY=VALUE`; commands that read results say to give the run's `--set` again. */
export function setOption(use: 'plan' | 'read' = 'plan') {
  return new Option('--set <KEY=VALUE>', use === 'read' ? `${SET_DESCRIPTION} (use the same --set as the run)` : SET_DESCRIPTION)
    .argParser(collect)
    .default([] as string[]);
}

export function maxRunsOption() {
  return new Option('--max-runs <n>', 'allow up to this many runs (overrides max_runs in the file)').argParser(positiveInteger);
}

/** `--out DIR` of the commands that take `--set`: the default follows it. */
export function outOption() {
  return new Option('--out <dir>', `results folder (default: ${DEFAULT_OUT}, or ${DEFAULT_SET_OUT} with --set, beside the experiments/ folder of the file)`);
}

/** `--out DIR` of the commands without `--set` (they read the experiment as written). */
export function plainOutOption() {
  return new Option('--out <dir>', `results folder (default: ${DEFAULT_OUT}, beside the experiments/ folder of the file)`);
}

export function onlyOption(verb: string) {
  return new Option(
    '--only <run>',
    `${verb} only this run id (or 4+ character prefix), variant id, label, or KEY=VALUE of a parameter that varies (repeatable)`,
  )
    .argParser(collect)
    .default([] as string[]);
}

/** `--json`: what the command prints for scripts instead of text. */
export function jsonOption(what: string) {
  return new Option('--json', `print ${what} as JSON, for scripts`);
}

export function backendOption() {
  return new Option('--backend <name>', 'numeric kernels for every run (same as --set backend=NAME)').choices(BACKENDS);
}

/** `--metric NAME` of the commands that rank or compare runs by a metric (`verb`: what they do with it). */
export function metricOption(verb: string) {
  return new Option('--metric <name>', `what to ${verb}: ${METRIC_NAMES.join(', ')}`)
    .argParser((value): MetricName => {
      if (!isMetricName(value)) throw new InvalidArgumentError(`expected one of ${METRIC_NAMES.join(', ')}, got "${value}"`);
      return value;
    })
    .default('test_accuracy' as MetricName);
}

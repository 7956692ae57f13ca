import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Where results live:
 *
 *     <out>/<experiment name>/runs/<run id>/metrics.json
 *
 * A run is finished when its metrics.json exists (it is written last, atomically).
 */

/** The default results folder, relative to the working directory. */
export const DEFAULT_OUT = 'results';

/**
 * The default results folder of runs with `--set` overrides (a trial, not the experiment as
 * written): apart, so that a smoke test never rewrites an experiment's committed tables.
 */
export const DEFAULT_SET_OUT = 'results-set';

/**
 * The results folder of a command: `--out` when given, else DEFAULT_SET_OUT when `--set`
 * overrides a setting of the runs (`backend` does not: it is not part of a run), else DEFAULT_OUT.
 */
export function resultsFolder(out: string | undefined, sets: readonly string[]): string {
  if (out !== undefined) return out;
  return effectiveOverrides(sets).length > 0 ? DEFAULT_SET_OUT : DEFAULT_OUT;
}

/** The `--set` arguments that change runs: all but `backend=...`. */
export function effectiveOverrides(sets: readonly string[]): string[] {
  return sets.filter((s) => !/^\s*(defaults\.)?backend\s*=/.test(s));
}

/** `<out>/<name>`: everything one experiment writes. */
export function experimentDir(out: string, name: string): string {
  return path.join(out, name);
}

/** `<out>/<name>/runs/<id>`: one run's config.json, history, metrics.json and weights. */
export function runDir(out: string, name: string, id: string): string {
  return path.join(runsDir(out, name), id);
}

/**
 * `<out>/<name>/checkpoints/<id>.ckpt`: a run's mid-run checkpoint, apart from its record so that
 * a record folder only ever holds a finished (or failed) run; deleted when the run finishes.
 */
export function checkpointFile(out: string, name: string, id: string): string {
  return path.join(checkpointsDir(out, name), `${id}.ckpt`);
}

/** `<out>/<name>/checkpoints`: the checkpoints of the experiment's unfinished runs. */
export function checkpointsDir(out: string, name: string): string {
  return path.join(experimentDir(out, name), 'checkpoints');
}

/** `<out>/<name>/runs`: the records of the experiment's runs, one folder each. */
export function runsDir(out: string, name: string): string {
  return path.join(experimentDir(out, name), 'runs');
}

/** `<out>/<name>/.lock`: held by the `mlp-lab run` that writes this experiment's results. */
export function lockFile(out: string, name: string): string {
  return path.join(experimentDir(out, name), '.lock');
}

/** `<out>/<name>/runs/<id>/metrics.json`: its existence marks the run as finished. */
export function metricsFile(out: string, name: string, id: string): string {
  return path.join(runDir(out, name, id), 'metrics.json');
}

/** True when the run's metrics.json exists. */
export function isRunFinished(out: string, name: string, id: string): boolean {
  return existsSync(metricsFile(out, name, id));
}

import { existsSync } from 'node:fs';
import path from 'node:path';
import { problem, UserError } from '../errors.ts';

/**
 * Where results live:
 *
 *     <out>/<experiment name>/runs/<run id>/metrics.json
 *
 * A run is finished when its metrics.json exists (it is written last, atomically).
 */

/** The default results folder, in the experiment files' project folder (see projectFolder). */
export const DEFAULT_OUT = 'results';

/**
 * The default results folder of runs with `--set` overrides (a trial, not the experiment as
 * written): apart, so that a smoke test never rewrites an experiment's committed tables.
 */
export const DEFAULT_SET_OUT = 'results-set';

/**
 * The results folder of a command: `--out` when given, else DEFAULT_SET_OUT when `--set`
 * overrides a setting of the runs (`backend` does not: it is not part of a run), else DEFAULT_OUT,
 * both in the project folder of the experiment files (see projectFolder), shown relative to the
 * working directory.
 */
export function resultsFolder(out: string | undefined, sets: readonly string[], files: readonly string[] = []): string {
  if (out !== undefined) return out;
  const name = effectiveOverrides(sets).length > 0 ? DEFAULT_SET_OUT : DEFAULT_OUT;
  const projects = [...new Set(files.map((file) => projectFolder(file)))];
  if (projects.length > 1) {
    throw new UserError(
      problem(
        'results-folders',
        `these experiment files keep their results in different folders: ${projects.map((p) => path.join(shown(p), name)).join(', ')}`,
        {
          file: '--out',
          hint: 'run them one project at a time, or give one folder with --out',
        },
      ),
    );
  }
  return projects.length === 0 ? name : path.join(shown(projects[0]!), name);
}

/**
 * The folder whose `results/` holds an experiment file's results, so that a command finds them
 * from any working directory: going up from the file's folder, the parent of a folder named
 * `experiments`, or else the top of the git checkout (the folder with `.git`); the working
 * directory when the file is in neither. A `results/` folder alone is no sign: one left over in a
 * parent folder would take the results of every file below it.
 */
export function projectFolder(file: string): string {
  let dir = path.dirname(path.resolve(file));
  while (true) {
    if (path.basename(dir) === 'experiments') return path.dirname(dir);
    if (existsSync(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** A folder as a command prints it: relative to the working directory when inside it. */
function shown(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative === '' ? '.' : relative;
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

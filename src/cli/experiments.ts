import { realpathSync } from 'node:fs';
import path from 'node:path';
import { DataFileError } from '../data/idx.ts';
import { problem, UserError, type Problem } from '../errors.ts';
import { loadExperiment, type LoadedExperiment } from '../experiment/index.ts';
import { reportInput } from '../publish/report-input.ts';
import { resultsFolder, runDir } from '../store/layout.ts';
import { collectResults } from '../tables/collect.ts';
import { printProblems } from './common.ts';
import { plannedExperiments } from './search-plans.ts';

/**
 * Loads and validates every file before anything runs: all problems of all files are reported
 * together (one UserError), warnings are returned for printing.
 */
export function loadAll(
  files: readonly string[],
  options: { sets: readonly string[]; maxRuns?: number | undefined },
): { loaded: LoadedExperiment[]; warnings: Problem[] } {
  const loaded: LoadedExperiment[] = [];
  const problems: Problem[] = [];
  // The same file named twice (`run a.yaml a.yaml`, or through another path) is one experiment.
  const distinct = [...new Map(files.map((file) => [canonicalPath(file), file])).values()];
  for (const file of distinct) {
    try {
      loaded.push(loadExperiment(file, options));
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      problems.push(...error.problems);
    }
  }
  // Two experiments with one name would write into one results folder and mix their tables.
  const byName = new Map<string, string>();
  for (const l of loaded) {
    const first = byName.get(l.experiment.name);
    if (first !== undefined) {
      problems.push(
        problem('duplicate-name', `the experiment name \`${l.experiment.name}\` is also the name of ${first}: both would write to the same results folder`, {
          file: l.file,
          hint: 'give each experiment file its own `name:`',
        }),
      );
    } else byName.set(l.experiment.name, l.file);
  }
  // A --set problem is the same for every file: report it once.
  const unique = problems.filter((p, i) => problems.findIndex((q) => JSON.stringify(q) === JSON.stringify(p)) === i);
  if (unique.length > 0) throw new UserError(unique);
  return { loaded, warnings: loaded.flatMap((l) => l.warnings) };
}

/** A data file that cannot be read is invalid input: report it like any other problem. */
export function dataProblem(error: unknown): UserError | null {
  if (!(error instanceof DataFileError)) return null;
  return new UserError(
    problem('data-file', error.problem, { file: error.file, line: error.line, col: error.col, ...(error.hint ? { hint: error.hint } : {}) }),
  );
}

function canonicalPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file); // a missing file is reported by loadExperiment
  }
}

/**
 * One experiment file as the commands that read its results see it (`best`, `compare`): loaded
 * and validated (warnings printed), its report input, its results folder, a search's plan as far
 * as the store goes (null for a grid) and the rows the store holds for its runs (a search's: every
 * run proposed so far).
 */
export function loadResults(file: string, options: { set: string[]; maxRuns?: number | undefined; out?: string | undefined }) {
  const { loaded, warnings } = loadAll([file], { sets: options.set, maxRuns: options.maxRuns });
  printProblems(warnings);
  const out = resultsFolder(options.out, options.set, [loaded[0]!.file]);
  const [planned] = plannedExperiments(loaded, out, { sets: options.set, maxRuns: options.maxRuns });
  const experiment = reportInput(planned!);
  const dir = (row: { runId: string }) => runDir(out, experiment.name, row.runId);
  const rows = collectResults(experiment.runs, (run) => runDir(out, experiment.name, run.id));
  return { loaded: loaded[0]!, experiment, out, dir, rows, search: planned!.search };
}

import { accessSync, constants, mkdirSync, realpathSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import { DataFileError } from '../data/idx.ts';
import { problem, UserError, type Problem } from '../errors.ts';
import { loadExperiment, type LoadedExperiment, type ResolvedRun } from '../experiment/index.ts';
import { chartSettings } from '../charts/settings.ts';
import { formatBytes } from '../experiment/memory.ts';
import type { ExperimentToRun } from '../run/run-experiments.ts';
import { experimentDir, runsDir } from '../store/layout.ts';

/**
 * Loads and validates every file before anything runs: all problems of all files are reported
 * together (one UserError), warnings are returned for printing.
 */
export function loadAll(files: readonly string[], options: { sets: readonly string[]; maxRuns?: number | undefined }): { loaded: LoadedExperiment[]; warnings: Problem[] } {
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
      problems.push(problem('duplicate-name', `the experiment name \`${l.experiment.name}\` is also the name of ${first}: both would write to the same results folder`, {
        file: l.file, hint: 'give each experiment file its own `name:`',
      }));
    } else byName.set(l.experiment.name, l.file);
  }
  // A --set problem is the same for every file: report it once.
  const unique = problems.filter((p, i) => problems.findIndex((q) => JSON.stringify(q) === JSON.stringify(p)) === i);
  if (unique.length > 0) throw new UserError(unique);
  return { loaded, warnings: loaded.flatMap((l) => l.warnings) };
}

/** The results tables show a variant by its label; runs carry its id. */
export function toExperimentToRun(loaded: LoadedExperiment, runs: readonly ResolvedRun[] = loaded.runs): ExperimentToRun {
  const labels = new Map((loaded.experiment.variants ?? []).map((v) => [v.id, v.label ?? v.id]));
  const labelled = runs.map((run) => ({ ...run, variant: run.variant === null ? null : (labels.get(run.variant) ?? run.variant) }));
  return {
    file: loaded.file,
    name: loaded.experiment.name,
    description: loaded.experiment.description ?? '',
    table: { rows: loaded.experiment.table?.rows ?? null, columns: loaded.experiment.table?.columns ?? null },
    comparisons: (loaded.experiment.compare ?? []).map((c) => ({
      by: c.by, metric: c.metric ?? 'test_accuracy', baseline: variantLabel(loaded, c.by, c.baseline ?? null),
    })),
    charts: chartSettings(loaded.experiment.charts),
    runs: labelled,
    selected: labelled,
  };
}

/** Comparisons by variant name the baseline by the variant's id; the runs carry its label. */
export function variantLabel(loaded: LoadedExperiment, by: string, baseline: unknown): unknown {
  if (by !== 'variant') return baseline;
  const variant = (loaded.experiment.variants ?? []).find((v) => v.id === baseline);
  return variant ? (variant.label ?? variant.id) : baseline;
}

/**
 * Keeps the runs that `--only` selects: a run id (or a prefix of at least 4 characters), a variant
 * id, a run's exact label, or `KEY=VALUE` for the runs where a parameter that varies has that value
 * (`--only activation=relu`). A selector that matches nothing is invalid input.
 */
export function selectRuns(experiments: ExperimentToRun[], loaded: readonly LoadedExperiment[], only: readonly string[]): ExperimentToRun[] {
  if (only.length === 0) return experiments;
  const unmatched = new Set(only);
  const selected = experiments.map((experiment, i) => {
    const original = loaded[i]!.runs;
    const selected = experiment.runs.filter((run, j) => {
      const hits = only.filter((s) => run.id === s || (s.length >= 4 && run.id.startsWith(s)) || original[j]!.variant === s || run.label === s || matchesValue(run, s));
      hits.forEach((s) => unmatched.delete(s));
      return hits.length > 0;
    });
    return { ...experiment, selected };
  });
  if (unmatched.size > 0) {
    const varying = [...new Set(experiments.flatMap((e) => e.runs.flatMap((r) => Object.keys(r.varying))))];
    throw new UserError([...unmatched].map((s) => problem('unknown-run', onlyMessage(s, varying, experiments), {
      file: '--only', hint: onlyHint(s, varying),
    })));
  }
  return selected;
}

/**
 * `key=value` against the run's varying parameters: the value as the plan shows it, or read as
 * YAML like a `--set` value (so `learning_rate=1e-1` and `=0.10` pick the runs with 0.1).
 */
function matchesValue(run: ResolvedRun, selector: string): boolean {
  const eq = selector.indexOf('=');
  if (eq <= 0) return false;
  const key = selector.slice(0, eq).trim();
  const value = selector.slice(eq + 1).trim();
  if (!Object.hasOwn(run.varying, key)) return false;
  const actual = run.varying[key];
  if (String(actual) === value) return true;
  // Not plain YAML (an error, or a warning such as an unknown tag): only the plan's spelling matches.
  const doc = parseDocument(value, { version: '1.2' });
  if (doc.errors.length > 0 || doc.warnings.length > 0) return false;
  try {
    return isDeepStrictEqual(doc.toJS(), actual);
  } catch {
    return false; // e.g. an alias without its anchor
  }
}

function onlyMessage(selector: string, varying: string[], experiments: ExperimentToRun[]): string {
  const eq = selector.indexOf('=');
  if (eq > 0) {
    const key = selector.slice(0, eq).trim();
    if (!varying.includes(key)) return `--only ${selector}: \`${key}\` does not vary in this plan`;
    const values = [...new Set(experiments.flatMap((e) => e.runs.map((r) => String(r.varying[key]))))];
    return `--only ${selector} matches no run: \`${key}\` takes the values ${values.join(', ')}`;
  }
  if (/^[0-9a-f]{1,3}$/.test(selector)) return `--only ${selector} is too short to pick runs by their id: give 4 or more characters`;
  return `--only ${selector} matches no run id, variant or label`;
}

function onlyHint(selector: string, varying: string[]): string {
  if (selector.includes('=')) return varying.length ? `KEY is one of the parameters that vary: ${varying.join(', ')}` : 'nothing varies in this plan; pick runs by id or variant';
  return 'mlp-lab plan FILE lists the run ids and labels; --only KEY=VALUE picks runs by a parameter that varies';
}

/** A data file that cannot be read is invalid input: report it like any other problem. */
export function dataProblem(error: unknown): UserError | null {
  if (!(error instanceof DataFileError)) return null;
  return new UserError(problem('data-file', error.problem, { file: error.file, line: error.line, col: error.col, ...(error.hint ? { hint: error.hint } : {}) }));
}

/** The results folder, created if needed; a folder that cannot be written is invalid input, found before any training. */
export function ensureWritableDir(dir: string, option: string): void {
  let reason: string | null = null;
  try {
    makeFolders(dir);
    if (!statSync(dir).isDirectory()) reason = 'it is a file, not a folder';
    else accessSync(dir, constants.W_OK);
  } catch (error) {
    reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
  if (reason !== null) {
    throw new UserError(problem('out-not-writable', `cannot write results to ${dir} (${reason})`, { file: option, hint: 'choose another folder with --out' }));
  }
}

/**
 * `mkdir -p`, one level at a time: Node 20's recursive mkdirSync never returns for a folder under
 * /proc (mkdir there fails with ENOENT, and it retries from the parent forever).
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let at = path.resolve(dir); statSync(at, { throwIfNoEntry: false }) === undefined; at = path.dirname(at)) {
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const folder of missing) mkdirSync(folder);
}

function canonicalPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file); // a missing file is reported by loadExperiment
  }
}

/**
 * The folders and files the store needs under `<out>/<name>/` must be folders and files: `runs`
 * being a file or `results.md` a folder is invalid input, found before any training (writing into
 * them would fail with a stack trace halfway through).
 */
export function checkStoreLayout(out: string, names: readonly string[]): void {
  const problems: Problem[] = [];
  for (const name of names) {
    const expected: [string, 'folder' | 'file'][] = [
      [experimentDir(out, name), 'folder'],
      [runsDir(out, name), 'folder'],
      ...['results.csv', 'results.md', 'results.tex'].map((f): [string, 'file'] => [path.join(experimentDir(out, name), f), 'file']),
    ];
    for (const [where, kind] of expected) {
      let stat;
      try {
        stat = statSync(where);
      } catch {
        continue; // absent: created when needed (an unreadable parent is found when writing)
      }
      if (kind === 'folder' ? !stat.isDirectory() : !stat.isFile()) {
        problems.push(problem('store-layout', `${where} is ${kind === 'folder' ? 'not a folder' : 'not a file'}, but the results store keeps a ${kind} there`, {
          file: '--out', hint: `move it out of the way, or choose another results folder with --out`,
        }));
      }
    }
  }
  if (problems.length > 0) throw new UserError(problems);
}

/**
 * `--jobs` runs train at once, each with its own model: refuses a `--jobs` whose largest runs
 * together need more memory than the machine has (each fits alone: validation checked that), and
 * says how many fit.
 */
export function checkJobsMemory(experiments: readonly ExperimentToRun[], jobs: number, limit = totalmem()): void {
  const sizes = experiments.flatMap((e) => e.selected.map((r) => r.work.bytes)).sort((a, b) => b - a);
  const together = sizes.slice(0, jobs).reduce((a, b) => a + b, 0);
  if (together <= limit) return;
  let fit = 0;
  for (let sum = 0; fit < sizes.length && sum + sizes[fit]! <= limit; fit++) sum += sizes[fit]!;
  throw new UserError(problem('too-large', `${Math.min(jobs, sizes.length)} runs at once need about ${formatBytes(together)} of memory; this machine has ${formatBytes(limit)}`, {
    file: '--jobs', hint: `use --jobs ${Math.max(1, fit)}`,
  }));
}

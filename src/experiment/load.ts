import { totalmem } from 'node:os';
import { problem, UserError, type Problem } from '../errors.ts';
import { checkComparisons } from './check-compare.ts';
import { findingsBehindSchema } from './behind-schema.ts';
import { inspectDataset, type DatasetInfo } from './dataset.ts';
import { checkSearch } from './check-search.ts';
import { DEFAULT_MAX_RUNS, expandExperiment, type ResolvedRun } from './expand.ts';
import { parseOverrides } from './overrides.ts';
import type { ExperimentFile } from './schema.ts';
import { searchLayers } from './search.ts';
import type { Finding } from './settings.ts';
import { problemAt, readSource, type Source } from './source.ts';
import { sourceData } from './source-data.ts';
import { schemaProblems } from './validate.ts';

export interface LoadOptions {
  /** `--set KEY=VALUE` arguments, applied to every run after the file's own values. */
  sets?: readonly string[];
  /** Overrides the file's `max_runs`. */
  maxRuns?: number | undefined;
}

export interface LoadedExperiment {
  /** The path as given. */
  file: string;
  /** The file's content, validated against the schema (absent keys take the schema's defaults when expanded). */
  experiment: ExperimentFile;
  dataset: DatasetInfo;
  /** In expansion order; `runs[i].index === i`. */
  runs: ResolvedRun[];
  /** Problems that do not stop anything, each at its place. */
  warnings: Problem[];
}

/**
 * Reads, validates and expands an experiment file: the whole pipeline up to the list of runs.
 * Synchronous (IDX files named by the experiment are read and hashed here).
 * Throws UserError with every problem found (errors and warnings, sorted by position) when the
 * file or an override is invalid; never throws anything else for bad input.
 */
export function loadExperiment(file: string, options: LoadOptions = {}): LoadedExperiment {
  const { overrides, problems: setProblems } = parseOverrides(options.sets ?? []);
  const source = readSource(file);
  const data = sourceData(source);
  const schema = schemaProblems(source, data);
  if (schema.length > 0 || setProblems.length > 0) {
    const behind = setProblems.length === 0 ? findingsBehindSchema(data, file, overrides, totalmem()).map((f) => place(source, f)) : [];
    throw new UserError(sorted([...schema, ...setProblems, ...behind, ...source.warnings]));
  }

  const experiment = data as ExperimentFile;
  const inspected = inspectDataset(experiment.dataset, file);
  const problems = inspected.findings.map((f) => place(source, f));
  if (!inspected.info) throw new UserError(sorted([...problems, ...source.warnings]));

  const layers = searchLayers(experiment);
  const input = { experiment, dataset: inspected.info, overrides, maxRuns: options.maxRuns, memoryLimit: totalmem() };
  const expansion = expandExperiment({ ...input, layer: layers?.representative });
  const comparisons = checkComparisons(experiment, expansion.runs, overrides.length > 0);
  // A search's other values (each choice, each bound) against the data, once the first values pass.
  const probed =
    layers && expansion.runs.length > 0
      ? layers.probes.flatMap((layer) => expandExperiment({ ...input, layer }).findings.filter((f) => f.severity === 'error'))
      : [];
  const searched = checkSearch(experiment, expansion.runs, options.maxRuns ?? experiment.max_runs ?? DEFAULT_MAX_RUNS);
  const found = [...expansion.findings, ...comparisons, ...probed, ...searched].map((f) => place(source, f));
  problems.push(...found.filter((p, i) => found.findIndex((q) => JSON.stringify(q) === JSON.stringify(p)) === i), ...source.warnings);
  if (problems.some((p) => p.severity === 'error')) throw new UserError(sorted(problems));
  return { file, experiment, dataset: inspected.info, runs: expansion.runs, warnings: sorted(problems) };
}

function place(source: Source, finding: Finding): Problem {
  const options = { key: finding.key ?? false, hint: finding.hint, severity: finding.severity };
  switch (finding.origin.kind) {
    case 'file':
      return problemAt(source, [...finding.origin.path, ...(finding.at ?? [])], finding.code, finding.message, options);
    case 'set':
      return problem(finding.code, `${finding.message} (set by --set ${finding.origin.key})`, {
        file: '--set',
        severity: finding.severity,
        ...(finding.hint ? { hint: finding.hint } : {}),
      });
    case 'default':
      return problemAt(source, [], finding.code, finding.message, options);
    case 'data': {
      const { file, line, col, excerpt } = finding.origin;
      const placed = problem(finding.code, finding.message, { file, line, col, severity: finding.severity, ...(finding.hint ? { hint: finding.hint } : {}) });
      // The field's first word is marked, as far as the next delimiter or quote.
      const length = excerpt === undefined || col === null ? 0 : Math.max(1, /^("[^"]*"?|[^,;\t"]*)/.exec(excerpt.slice(col - 1))![0].length);
      return excerpt === undefined ? placed : { ...placed, excerpt: { text: excerpt, length } };
    }
  }
}

function sorted(problems: Problem[]): Problem[] {
  const rank = (p: Problem) => (p.file === '--set' ? 0 : 1);
  return [...problems].sort((a, b) => rank(a) - rank(b) || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

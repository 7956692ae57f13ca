import { checkComparisons } from './check-compare.ts';
import type { DatasetInfo } from './dataset-info.ts';
import { inspectDataset } from './dataset.ts';
import { expandExperiment } from './expand.ts';
import type { Override } from './grid.ts';
import type { ExperimentFile } from './schema.ts';
import type { Finding } from './settings.ts';
import type { NodePath } from './source.ts';
import { experimentValidator, schemaIssues } from './validate.ts';

/**
 * The checks that follow the schema (the data files, layers against the data, the grid), run on a
 * file that does not match the schema, so that every problem is reported at once: each value the
 * schema refused is taken out (the key that holds it), and what is left is checked as usual.
 * Only findings away from the refused values are kept, so that taking a value out cannot itself
 * cause a report (a missing `layers`, a grid axis gone). Returns no findings when the file is too
 * broken for that (its top level, a whole variant or a required key is at fault).
 */
const KEPT_CODES = new Set([
  'layer-mismatch',
  'activation-count',
  'softmax-position',
  'bad-data-file',
  'file-not-found',
  'unused-key',
  'bad-split',
  'too-large',
  'dropout-count',
  'bad-schedule',
  'grid-conflict',
  'conflicting-keys',
  'duplicate-id',
  'zip-length',
  'duplicate-value',
  'unknown-variant',
]);

/** Findings about sections that name what varies. */
const NAMING_CODES = new Set(['table-unknown', 'charts-unknown', 'charts-same', 'compare-unknown', 'compare-baseline']);

export function findingsBehindSchema(data: unknown, experimentFile: string, overrides: readonly Override[], memoryLimit: number): Finding[] {
  const validate = experimentValidator();
  if (validate(data)) return [];
  const removed: NodePath[] = [];
  for (const issue of schemaIssues(validate.errors ?? [])) {
    if (issue.code === 'missing-key') return [];
    // Take out the key holding the bad value: a list loses no item, so the other paths stay right.
    let cut = issue.path.length;
    while (cut > 0 && typeof issue.path[cut - 1] === 'number') cut--;
    const at = issue.path.slice(0, cut);
    if (at.length === 0 || (at.length === 2 && at[0] === 'variants')) return [];
    removed.push(at);
  }
  const copy = structuredClone(data) as Record<string, unknown>;
  for (const at of removed) {
    const parent = at.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], copy) as
      | Record<string, unknown>
      | undefined;
    if (parent && typeof parent === 'object') delete parent[at.at(-1) as string];
  }
  if (!validate(copy)) return [];

  const experiment = copy as ExperimentFile;
  const inspected = inspectDataset(experiment.dataset, experimentFile);
  const findings: Finding[] = [...inspected.findings];
  // What varies decides whether `table:`, `charts:` and `compare:` name it: those checks are kept
  // only when nothing that varies was taken out.
  const varyingIntact = !removed.some((at) => ['grid', 'variants', 'seeds', 'repeats'].includes(String(at[0])));
  if (inspected.info) {
    const expansion = expandExperiment({ experiment, dataset: inspected.info as DatasetInfo, overrides, memoryLimit });
    findings.push(...expansion.findings);
    if (varyingIntact) findings.push(...checkComparisons(experiment, expansion.runs, overrides.length > 0));
  }
  const under = (path: NodePath, prefix: NodePath) => prefix.every((key, i) => String(path[i]) === String(key));
  return findings.filter(
    (f) =>
      f.severity === 'error' &&
      (KEPT_CODES.has(f.code) || (varyingIntact && NAMING_CODES.has(f.code))) &&
      (f.origin.kind !== 'file' || !removed.some((r) => under(f.origin.kind === 'file' ? f.origin.path : [], r))),
  );
}

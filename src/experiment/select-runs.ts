import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import { problem, UserError } from '../errors.ts';
import type { LoadedExperiment } from './load.ts';
import type { ResolvedRun } from './expand.ts';
import { variantNamed } from './run-names.ts';

/** An experiment's whole plan; `loaded[i]` of selectRuns is the file it was planned from. */
interface PlannedExperiment {
  runs: readonly ResolvedRun[];
}

/**
 * Keeps the runs that `--only` selects: a run id (or a prefix of at least 4 characters), a variant
 * (by id or label, bare or as `variant=NAME`), a run's exact label, or `KEY=VALUE` for the runs
 * where a parameter that varies has that value (`--only activation=relu`). A selector that matches
 * nothing is invalid input.
 */
export function selectRuns<E extends PlannedExperiment>(
  experiments: readonly E[],
  loaded: readonly LoadedExperiment[],
  only: readonly string[],
): (E & { selected: readonly ResolvedRun[] })[] {
  if (only.length === 0) return experiments.map((experiment) => ({ ...experiment, selected: experiment.runs }));
  const unmatched = new Set(only);
  const selected = experiments.map((experiment, i) => {
    const original = loaded[i]!.runs;
    const file = loaded[i]!.experiment;
    const selected = experiment.runs.filter((run, j) => {
      const variant = original[j]!.variant;
      const namesVariant = (name: string) => variant !== null && variantNamed(file, name)?.id === variant;
      const hits = only.filter(
        (s) =>
          run.id === s ||
          (s.length >= 4 && run.id.startsWith(s)) ||
          namesVariant(s) ||
          run.label === s ||
          (/^variant\s*=/.test(s) && namesVariant(s.slice(s.indexOf('=') + 1).trim())) ||
          matchesValue(run, s),
      );
      hits.forEach((s) => unmatched.delete(s));
      return hits.length > 0;
    });
    return { ...experiment, selected };
  });
  if (unmatched.size > 0) {
    const variants = loaded.flatMap((l) => (l.experiment.variants ?? []).map((v) => (v.label && v.label !== v.id ? `${v.id} (${v.label})` : v.id)));
    const varying = [...(variants.length > 0 ? ['variant'] : []), ...new Set(experiments.flatMap((e) => e.runs.flatMap((r) => Object.keys(r.varying))))];
    throw new UserError(
      [...unmatched].map((s) =>
        problem('unknown-run', onlyMessage(s, varying, experiments, variants), {
          file: '--only',
          hint: onlyHint(s, varying),
        }),
      ),
    );
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

function onlyMessage(selector: string, varying: string[], experiments: readonly PlannedExperiment[], variants: string[]): string {
  const eq = selector.indexOf('=');
  if (eq > 0) {
    const key = selector.slice(0, eq).trim();
    if (key === 'variant')
      return variants.length
        ? `--only ${selector} matches no variant: the variants are ${variants.join(', ')}`
        : `--only ${selector}: the experiment has no variants`;
    if (!varying.includes(key)) return `--only ${selector}: \`${key}\` does not vary in this plan`;
    const values = [...new Set(experiments.flatMap((e) => e.runs.map((r) => String(r.varying[key]))))];
    return `--only ${selector} matches no run: \`${key}\` takes the values ${values.join(', ')}`;
  }
  if (/^[0-9a-f]{1,3}$/.test(selector)) return `--only ${selector} is too short to pick runs by their id: give 4 or more characters`;
  return `--only ${selector} matches no run id, variant or label`;
}

function onlyHint(selector: string, varying: string[]): string {
  if (selector.includes('='))
    return varying.length ? `KEY is one of the parameters that vary: ${varying.join(', ')}` : 'nothing varies in this plan; pick runs by id or variant';
  return 'mlp-lab plan FILE lists the run ids and labels; --only KEY=VALUE picks runs by a parameter that varies';
}

import type { DatasetInfo } from './dataset-info.ts';
import { combinations, gridAxes, type Axis, type Override } from './grid.ts';
import { estimateMemory, memoryProblem } from './memory.ts';
import { resolveRun } from './resolve.ts';
import { runId } from './run-id.ts';
import type { RunConfig } from './run-config.ts';
import { EXECUTION_NAMES, PARAMETER_NAMES, type ExperimentFile, type ParameterName } from './schema.ts';
import { canonicalJson, flattenDataset, flattenSettings, overlay, settingValue, type Finding, type Settings } from './settings.ts';
import type { NodePath } from './source.ts';
import { didYouMean } from './suggest.ts';

/** One run of an experiment, fully resolved. Plain data. */
export interface ResolvedRun {
  /** 12 hex digits; see runId. */
  id: string;
  /** The experiment's name. */
  experiment: string;
  /** Position in expansion order (variants, then grid axes in file order, then seeds), from 0. */
  index: number;
  /** Human label: the variant's label and the values that vary within it, e.g. `relu learning_rate=0.1 seed=2`. */
  label: string;
  /** The variant's id, or null when the experiment has no variants. */
  variant: string | null;
  /** The parameters that vary across this experiment's runs (dotted snake_case names), with this run's values; lists as JSON text. */
  varying: Record<string, string | number | boolean | null>;
  /** Every parameter explicit; written as the run's config.json. */
  config: RunConfig;
  /** Estimated cost: mini-batch iterations, floating-point operations of training (≈ 6 per weight per image, forward and backward), and the bytes of memory the run needs of its own (see estimateMemory). */
  work: { iterations: number; flops: number; bytes: number };
  /**
   * A pruned search's trial: always checkpointed (a promoted trial goes on from its rung), and
   * trained now up to the end of epoch `untilEpoch`, or to the end when null. Absent for a grid.
   */
  rung?: { untilEpoch: number | null };
}

export interface ExpansionInput {
  experiment: ExperimentFile;
  dataset: DatasetInfo;
  overrides?: readonly Override[];
  /** Overrides the file's `max_runs`. */
  maxRuns?: number | undefined;
  /** Bytes one run may use (the machine's memory); runs that need more are refused. Default: no limit. */
  memoryLimit?: number | undefined;
  /** Settings over every grid cell's, under `--set`: a search proposal's values (search.ts). */
  layer?: Settings | undefined;
}

/** Refuse to enumerate beyond this many combinations even before exclusions. */
const ENUMERATION_LIMIT = 1_000_000;
export const DEFAULT_MAX_RUNS = 1000;

/**
 * Stage 3, expand: a validated experiment to its list of runs — every variant crossed with the
 * grid's combinations (less the excluded ones) and the seeds, with `--set` overrides applied last.
 * Pure: same input, same runs. Returns no runs when a finding about the runs is an error (the
 * errors of `table:` and `charts:` only are returned with the runs).
 *
 * Seeds: a run's seed is the `seed` setting that applies to it (defaults < variant < grid < --set,
 * schema default 0), or each value of `seeds`; with `repeats: n`, repeat k (from 0) uses that
 * seed + k. Seeds do not depend on a run's other grid coordinates, so every configuration is
 * compared on the same seeds.
 */
export function expandExperiment(input: ExpansionInput): { runs: ResolvedRun[]; findings: Finding[] } {
  const { experiment, dataset } = input;
  const overrides = input.overrides ?? [];
  const findings: Finding[] = [];
  const base = overlay(
    flattenDataset(experiment.dataset as Record<string, unknown> | undefined),
    flattenSettings((experiment.defaults ?? {}) as Record<string, unknown>, ['defaults']),
  );
  const variants = (experiment.variants ?? []).map((v, i) => ({
    id: v.id,
    label: v.label ?? v.id,
    path: ['variants', i] as NodePath,
    settings: flattenSettings(v as Record<string, unknown>, ['variants', i]),
  }));
  checkObjects(experiment, variants, findings);
  const { axes, repeats, findings: gridFindings } = gridAxes(experiment, overrides);
  findings.push(...gridFindings);
  const setLayer: Settings = new Map(
    overrides
      .filter((o) => o.key !== 'seeds' && o.key !== 'repeats')
      .map((o) => [o.key as ParameterName, { value: o.value, origin: { kind: 'set', key: o.key } }]),
  );
  const limit = input.maxRuns ?? experiment.max_runs ?? DEFAULT_MAX_RUNS;
  const limitAt: NodePath = experiment.grid ? ['grid'] : experiment.variants ? ['variants'] : [];
  const raw = Math.max(variants.length, 1) * axes.reduce((n, a) => n * a.points.length, 1) * repeats;
  // Past the enumeration limit no --max-runs helps: planning that many runs would not end.
  if (raw > ENUMERATION_LIMIT) findings.push(beyondEnumeration(raw, limitAt));
  if (findings.some((f) => f.severity === 'error')) return { runs: [], findings: unique(findings) };

  const rules = ((experiment.grid?.exclude ?? []) as Record<string, unknown>[]).map((rule) => ({ rule, used: false }));
  const candidates: { variant: (typeof variants)[number] | null; settings: Settings; config: RunConfig }[] = [];
  for (const variant of variants.length > 0 ? variants : [null]) {
    const anchor: NodePath = variant?.path ?? (experiment.defaults ? ['defaults'] : []);
    for (const combination of combinations(axes)) {
      const written = combination.reduce(overlay, variant ? overlay(base, variant.settings) : base);
      const matching = rules.filter(({ rule }) =>
        Object.entries(rule).every(([key, value]) =>
          key === 'variant' ? value === variant?.id : canonicalJson(settingValue(written, key as ParameterName)) === canonicalJson(value),
        ),
      );
      for (const m of matching) m.used = true;
      if (matching.length > 0) continue;
      // `--set seed=N` sets the first seed of the repeats, as `seed:` in the file does: repeat k uses N + k.
      // A search's proposal comes before the overrides: `--set` wins, as it does over the file.
      const overridden = overlay(input.layer ? overlay(written, input.layer) : written, setLayer);
      for (let k = 0; k < repeats; k++) {
        const settings =
          k === 0
            ? overridden
            : overlay(
                overridden,
                new Map([
                  [
                    'seed',
                    { value: (settingValue(overridden, 'seed') as number) + k, origin: overridden.get('seed')?.origin ?? { kind: 'file', path: ['repeats'] } },
                  ],
                ]),
              );
        const resolved = resolveRun(settings, dataset, anchor);
        findings.push(...resolved.findings);
        if (resolved.config) candidates.push({ variant, settings, config: resolved.config });
      }
    }
  }
  rules.forEach(({ used }, r) => {
    if (!used)
      findings.push({
        code: 'exclude-unused',
        severity: 'warning',
        origin: { kind: 'file', path: ['grid', 'exclude', r] },
        message: 'this exclude rule matches no run',
      });
  });
  if (findings.some((f) => f.severity === 'error')) return { runs: [], findings: unique(findings) };

  const seen = new Map<string, (typeof candidates)[number]>();
  const kept: ((typeof candidates)[number] & { id: string })[] = [];
  for (const candidate of candidates) {
    const id = runId(candidate.config, dataset.identity);
    const first = seen.get(id);
    if (!first) {
      seen.set(id, candidate);
      kept.push({ ...candidate, id });
    } else if (setLayer.size === 0 && overrides.length === 0) {
      findings.push(duplicateWarning(first.settings, candidate.settings));
    }
  }
  if (kept.length < candidates.length && setLayer.size > 0) findings.push(collapseWarning(candidates.length, kept.length, setLayer, axes, variants));
  for (const candidate of kept) {
    const tooBig = memoryProblem(estimateMemory(candidate.config, dataset), input.memoryLimit ?? Infinity, candidate.config.backend);
    const origin = candidate.settings.get('layers')?.origin;
    if (tooBig)
      findings.push({
        code: 'too-large',
        severity: 'error',
        origin: origin?.kind === 'default' || !origin ? { kind: 'file', path: candidate.variant?.path ?? ['defaults'] } : origin,
        ...tooBig,
      });
  }
  if (kept.length === 0) {
    findings.push({
      code: 'no-runs',
      severity: 'error',
      origin: { kind: 'file', path: ['grid', 'exclude'] },
      key: true,
      message: 'every combination is excluded: the experiment has no runs',
    });
  } else if (kept.length > limit) {
    findings.push(tooMany(kept.length, limit, limitAt));
  }
  if (findings.some((f) => f.severity === 'error')) return { runs: [], findings: unique(findings) };

  const order = [...axes.flatMap((a) => a.names), ...PARAMETER_NAMES];
  const varyingNames = [...new Set(order)].filter((name) => !EXECUTION_NAMES.includes(name) && new Set(kept.map((c) => shownValue(c.settings, name))).size > 1);
  const byVariant = varyingNames.filter(
    (name) => variants.length > 0 && variants.every((v) => new Set(kept.filter((c) => c.variant === v).map((c) => shownValue(c.settings, name))).size <= 1),
  );
  // Errors of `table:` and `charts:` do not change the runs: they are still listed, so that the
  // `compare:` section is checked in the same pass and every problem is reported at once.
  checkTable(experiment, varyingNames, variants.length > 0, overrides.length > 0, findings);
  checkCharts(experiment, varyingNames, variants.length > 0, overrides.length > 0, findings);
  const runs = kept.map((c, index): ResolvedRun => {
    const varying = Object.fromEntries(varyingNames.map((name) => [name, shownValue(c.settings, name)]));
    const parts = varyingNames.filter((name) => !byVariant.includes(name)).map((name) => `${name}=${varying[name]}`);
    return {
      id: c.id,
      experiment: experiment.name,
      index,
      label: [c.variant?.label, ...parts].filter(Boolean).join(' ') || experiment.name,
      variant: c.variant?.id ?? null,
      varying,
      config: c.config,
      work: estimateWork(c.config, dataset),
    };
  });
  return { runs, findings: unique(findings) };
}

/** Checks on `defaults:` and variants as written: unique ids, `activation` xor `activations`, exclude rules' variant names. */
function checkObjects(experiment: ExperimentFile, variants: { id: string; path: NodePath; settings: Settings }[], findings: Finding[]): void {
  const both = (object: object | undefined, path: NodePath) => {
    if (object && 'activation' in object && 'activations' in object) {
      findings.push({
        code: 'conflicting-keys',
        severity: 'error',
        origin: { kind: 'file', path: [...path, 'activation'] },
        key: true,
        message: 'give either `activation` (hidden layers) or `activations` (every layer), not both',
      });
    }
  };
  both(experiment.defaults, ['defaults']);
  const ids = new Set<string>();
  variants.forEach((v, i) => {
    both(experiment.variants?.[i], v.path);
    if (ids.has(v.id))
      findings.push({
        code: 'duplicate-id',
        severity: 'error',
        origin: { kind: 'file', path: [...v.path, 'id'] },
        message: `two variants have the id \`${v.id}\``,
        hint: 'variant ids must be unique',
      });
    ids.add(v.id);
  });
  ((experiment.grid?.exclude ?? []) as { variant?: string }[]).forEach((rule, r) => {
    if (rule.variant !== undefined && !ids.has(rule.variant)) {
      const close = didYouMean(rule.variant, [...ids]);
      findings.push({
        code: 'unknown-variant',
        severity: 'error',
        origin: { kind: 'file', path: ['grid', 'exclude', r, 'variant'] },
        message: `no variant has the id \`${rule.variant}\``,
        hint: close ? `did you mean \`${close}\`?` : ids.size ? `variants: ${[...ids].join(', ')}` : 'the experiment has no variants',
      });
    }
  });
}

/** `table.rows` / `table.columns` must name something that varies (not checked under --set, which may collapse an axis). */
function checkTable(experiment: ExperimentFile, varying: string[], hasVariants: boolean, overridden: boolean, findings: Finding[]): void {
  if (overridden) return;
  const names = [...(hasVariants ? ['variant'] : []), ...varying];
  for (const key of ['rows', 'columns'] as const) {
    const value = experiment.table?.[key];
    if (value === undefined || value === null || names.includes(value)) continue;
    const close = didYouMean(value, names);
    findings.push({
      code: 'table-unknown',
      severity: 'error',
      origin: { kind: 'file', path: ['table', key] },
      message: `\`table.${key}\` names \`${value}\`, which does not vary in this experiment`,
      hint: close ? `did you mean \`${close}\`?` : names.length ? `these vary: ${names.join(', ')}` : 'nothing varies: remove `table:`',
    });
  }
}

/** `charts.color` / `charts.facet` must name something that varies, and not the same thing (not checked under --set either). */
function checkCharts(experiment: ExperimentFile, varying: string[], hasVariants: boolean, overridden: boolean, findings: Finding[]): void {
  if (overridden) return;
  const names = [...(hasVariants ? ['variant'] : []), ...varying];
  const charts = experiment.charts;
  for (const key of ['color', 'facet'] as const) {
    const value = charts?.[key];
    if (value === undefined || value === null || names.includes(value)) continue;
    const close = didYouMean(value, names);
    findings.push({
      code: 'charts-unknown',
      severity: 'error',
      origin: { kind: 'file', path: ['charts', key] },
      message: `\`charts.${key}\` names \`${value}\`, which does not vary in this experiment`,
      hint: close ? `did you mean \`${close}\`?` : names.length ? `these vary: ${names.join(', ')}` : 'nothing varies: remove the key',
    });
  }
  if (charts?.color && charts.color === charts.facet) {
    findings.push({
      code: 'charts-same',
      severity: 'error',
      origin: { kind: 'file', path: ['charts', 'facet'] },
      message: `\`charts.facet\` and \`charts.color\` both name \`${charts.color}\``,
      hint: 'colour by one parameter and split the charts by another',
    });
  }
}

/** A parameter's value as shown in `varying` and labels; null for the one of `activation`/`activations` a run does not use. */
function shownValue(settings: Settings, name: ParameterName): string | number | boolean | null {
  if (name === 'activation' && settings.has('activations')) return null;
  if (name === 'activations' && !settings.has('activations')) return null;
  const value = settingValue(settings, name);
  if (value === undefined) return null;
  if (Array.isArray(value)) return `[${value.join(',')}]`;
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : (value as string | number | boolean | null);
}

function duplicateWarning(first: Settings, later: Settings): Finding {
  const differing = PARAMETER_NAMES.filter((name) => canonicalJson(settingValue(first, name)) !== canonicalJson(settingValue(later, name)));
  const name = differing[0];
  const origin = name ? later.get(name)?.origin : undefined;
  return {
    code: 'duplicate-run',
    severity: 'warning',
    origin: origin ?? { kind: 'file', path: ['variants'] },
    message: differing.length
      ? `runs that differ only in ${differing.join(', ')} are the same run (the setting is ignored here); planned once`
      : 'two variants describe the same run; planned once',
    hint: differing.includes('init_std') ? '`init_std` is used by `init: normal` only' : undefined,
  };
}

/**
 * `--set` of a parameter that the grid, the seeds or the variants vary makes runs the same run: say
 * so, with the counts, since a plan that shrinks without a word looks like a complete one.
 */
function collapseWarning(planned: number, kept: number, setLayer: Settings, axes: readonly Axis[], variants: readonly { settings: Settings }[]): Finding {
  const keys = [...setLayer.keys()];
  const collapsing = keys.filter((key) => axes.some((a) => a.names.includes(key)) || variants.some((v) => v.settings.has(key)));
  if (collapsing.length === 0) {
    return {
      code: 'set-collapses',
      severity: 'warning',
      origin: { kind: 'set', key: keys[0]! },
      message: `with ${keys.map((key) => `--set ${key}`).join(', ')}, runs that differed only in settings they ignore are the same run: ${planned} runs become ${kept}`,
    };
  }
  const named = collapsing;
  const where = (key: ParameterName) => {
    const origin = axes.find((a) => a.names.includes(key))?.points[0]?.get(key)?.origin;
    if (!origin) return 'the variants';
    return origin.kind === 'file' && origin.path[0] === 'grid' ? 'the grid' : '`seeds`';
  };
  return {
    code: 'set-collapses',
    severity: 'warning',
    origin: { kind: 'set', key: named[0]! },
    message: `${named.map((key) => `--set ${key}`).join(', ')} replaces values that vary in ${[...new Set(named.map(where))].join(' and ')}: ${planned} runs become ${kept}`,
    hint: 'to keep every run, vary the parameter in the file instead, or drop the --set',
  };
}

function tooMany(count: number, limit: number, at: NodePath): Finding {
  return {
    code: 'too-many-runs',
    severity: 'error',
    origin: { kind: 'file', path: at },
    key: at.length > 0,
    message: `the experiment expands to ${count} runs, more than the limit of ${limit}`,
    hint: `if that is intended, raise the limit with --max-runs ${count} (or \`max_runs: ${count}\` in the file)`,
  };
}

function beyondEnumeration(count: number, at: NodePath): Finding {
  return {
    code: 'too-many-runs',
    severity: 'error',
    origin: { kind: 'file', path: at },
    key: at.length > 0,
    message: `the experiment expands to ${count.toLocaleString('en-US')} runs; mlp-lab plans at most ${ENUMERATION_LIMIT.toLocaleString('en-US')} (before exclusions), whatever --max-runs says`,
    hint: 'use fewer values per grid key, or split the grid into several experiment files',
  };
}

/**
 * Training iterations and ≈ floating-point operations of a run: 6 per weight and training image
 * per epoch (2 forward, 4 backward), and 2 per weight for every image that a history record or the
 * final evaluation goes through. Evaluation is most of the work of a run that records often on the
 * full sets (two thirds of the report's), so estimates of time (the live ETA, the order in which
 * runs start) need it.
 */
export function estimateWork(config: RunConfig, dataset: DatasetInfo): { iterations: number; flops: number; bytes: number } {
  const { train_limit, test_limit, validation } = config.dataset;
  const images = Math.min(train_limit ?? Infinity, dataset.trainImages) - validation;
  const tests = Math.min(test_limit ?? Infinity, dataset.testImages);
  const weights = config.layers.slice(1).reduce((sum, n, i) => sum + n * config.layers[i]!, 0);
  const batches = Math.ceil(images / config.batch_size);
  const iterations = batches * config.epochs;
  const every = config.history.every === 'epoch' ? batches : config.history.every;
  const records = Math.ceil(iterations / every);
  const limit = config.history.eval_limit ?? Infinity;
  const perRecord = Math.min(limit, images) + Math.min(limit, tests) + Math.min(limit, validation);
  const evaluated = records * perRecord + images + tests + validation;
  return { iterations, flops: 2 * weights * (3 * images * config.epochs + evaluated), bytes: estimateMemory(config, dataset).bytes };
}

function unique(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = JSON.stringify([f.code, f.origin, f.at, f.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

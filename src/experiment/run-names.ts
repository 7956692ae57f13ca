import type { ExperimentFile } from './schema.ts';

type Variant = NonNullable<ExperimentFile['variants']>[number];

/**
 * The one answer to "which variant does this name": its id, or its label (`plan`, the tables and
 * the charts show labels, the file writes ids, so a user may give either). Used by `--only`, the
 * `compare:` baselines and `compare --baseline`.
 */
export function variantNamed(experiment: ExperimentFile, name: unknown): Variant | undefined {
  const variants = experiment.variants ?? [];
  return variants.find((v) => v.id === name) ?? variants.find((v) => (v.label ?? v.id) === name);
}

/** A variant's label as the tables show it. */
export function variantLabelOf(variant: Variant): string {
  return variant.label ?? variant.id;
}

import { createHash } from 'node:crypto';
import type { RunConfig } from './run-config.ts';
import { canonicalJson } from './settings.ts';

/** Bump when the meaning of a RunConfig changes, so old results are not mistaken for new ones. */
const RUN_ID_VERSION = 'mlp-lab/run/1';

/**
 * A run's stable id: the first 12 hex digits of the sha256 of its resolved configuration in
 * canonical JSON (keys sorted), with the dataset given by `datasetIdentity` (the bundled package
 * and version, or the IDX files' contents) instead of paths, and without the execution settings (`backend`, `checkpoint`). The same run
 * therefore has the same id on every machine, whatever the order of keys in the YAML file.
 */
export function runId(config: RunConfig, datasetIdentity: string): string {
  const { backend: _device, checkpoint: _checkpoint, dataset, ...rest } = config;
  const data = {
    identity: datasetIdentity,
    train_limit: dataset.train_limit,
    test_limit: dataset.test_limit,
    validation: dataset.validation,
  };
  const text = `${RUN_ID_VERSION}\n${canonicalJson({ ...rest, dataset: data })}`;
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

export { loadExperiment, type LoadedExperiment } from './load.ts';
export { expandExperiment, type ResolvedRun } from './expand.ts';
export {
  checkpointInterval,
  toTrainConfig,
  toDatasetSpec,
  type RunConfig,
  type RunDataset,
} from './run-config.ts';
export { runId } from './run-id.ts';
export { inspectDataset, MNIST_INFO, type DatasetInfo } from './dataset.ts';
export { datasetIdentity } from './dataset-identity.ts';
export { describeTable } from './table-dataset.ts';
export { parseOverrides, SET_KEYS } from './overrides.ts';
export type { Override } from './grid.ts';
export { experimentJsonSchema, type ExperimentFile } from './schema.ts';
export { schemaReference } from './reference.ts';

/** A parameter value as it appears in a table. */
export type Scalar = string | number | boolean | null;

/** One run as the results tables see it: what it was and, once finished or failed, how it ended. */
export interface ResultRow {
  runId: string;
  label: string;
  /** The variant's label, or null for an experiment without variants. */
  model: string | null;
  /** The parameters that vary across the experiment, by dotted snake_case name. */
  varying: Record<string, Scalar>;
  layers: number[];
  activations: string[];
  learningRate: number;
  batchSize: number;
  epochs: number;
  init: string;
  optimizer: string;
  seed: number;
  outcome: RunOutcomeSummary | null;
}

export interface RunOutcomeSummary {
  /** `pruned`: a search's trial stopped at a rung, with its metrics there. */
  status: 'completed' | 'diverged' | 'early-stopped' | 'failed' | 'pruned';
  trainCost: number | null;
  testCost: number | null;
  trainAccuracy: number | null;
  testAccuracy: number | null;
  seconds: number | null;
}

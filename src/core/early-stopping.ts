import type { EarlyStoppingConfig } from './config.ts';

/** What early stopping reads of a history record (a HistoryRecord). */
export interface MonitoredRecord {
  epoch: number;
  iteration: number;
  testCost: number;
  validationCost: number | null;
}

/** Where early stopping stands, as plain data (part of a training snapshot). */
export interface EarlyStoppingState {
  /** The lowest monitored cost so far; null before the first record. */
  bestValue: number | null;
  /** Epoch and iteration of the record that gave it. */
  bestEpoch: number;
  bestIteration: number;
  /** The parameters (W1, b1, W2, …) at that record. */
  bestParameters: Float32Array[];
  /** Records since the best one. */
  waited: number;
}

/**
 * Watches the history records for a plateau of the monitored cost. A record improves when its cost
 * is below the best by more than `minDelta`; after `patience` records without improvement, the run
 * stops. A NaN cost never improves.
 */
export class EarlyStopping {
  state: EarlyStoppingState = { bestValue: null, bestEpoch: 0, bestIteration: 0, bestParameters: [], waited: 0 };

  constructor(readonly config: EarlyStoppingConfig) {}

  /** Takes one record with the parameters it was measured on; returns true when the run should stop. */
  observe(record: MonitoredRecord, parameters: readonly Float32Array[]): boolean {
    const value = this.config.metric === 'validation_cost' ? record.validationCost : record.testCost;
    if (value === null) throw new RangeError(`early stopping on ${this.config.metric} needs a validation set`);
    const s = this.state;
    if (s.bestValue === null || value < s.bestValue - this.config.minDelta) {
      s.bestValue = value;
      s.bestEpoch = record.epoch;
      s.bestIteration = record.iteration;
      if (s.bestParameters.length === parameters.length) parameters.forEach((p, i) => s.bestParameters[i]!.set(p));
      else s.bestParameters = parameters.map((p) => p.slice());
      s.waited = 0;
      return false;
    }
    s.waited++;
    return s.waited >= this.config.patience;
  }
}

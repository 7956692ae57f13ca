import type { LearningRateSchedule } from './config.ts';

/** What a schedule needs to know of the run besides the update's index. */
export interface ScheduleShape {
  /** The base learning rate η. */
  learningRate: number;
  batchesPerEpoch: number;
  /** Iterations of the whole run. */
  iterations: number;
}

/**
 * The learning rate of update t (0-based: t = 0 is the run's first update), a pure function of t,
 * so a resumed run uses exactly the rates the uninterrupted one would. With B batches per epoch,
 * e = ⌊t / B⌋ the 0-based epoch, T the run's iterations and W = warmupEpochs·B:
 *
 * - constant:    η
 * - step:        η·γ^⌊e / stepEpochs⌋            (per epoch)
 * - exponential: η·γ^e                          (per epoch)
 * - cosine:      η_min + (η − η_min)·(1 + cos(π·s))/2, s = (t − W)/(T − W), 0 during warmup (per iteration)
 *
 * and during warmup (t < W) that rate times (t + 1)/W, a linear ramp that reaches the schedule's
 * rate at the last warmup update. Epochs count from the start of the run, warmup included; cosine
 * starts after the warmup, so that it still ends at η_min.
 */
export function learningRateAt(schedule: LearningRateSchedule | null | undefined, shape: ScheduleShape, t: number): number {
  const eta = shape.learningRate;
  if (!schedule) return eta;
  const epoch = Math.floor(t / shape.batchesPerEpoch);
  const warmup = schedule.warmupEpochs * shape.batchesPerEpoch;
  let rate: number;
  switch (schedule.type) {
    case 'constant':
      rate = eta;
      break;
    case 'step':
      rate = eta * schedule.gamma ** Math.floor(epoch / schedule.stepEpochs);
      break;
    case 'exponential':
      rate = eta * schedule.gamma ** epoch;
      break;
    case 'cosine': {
      const span = Math.max(1, shape.iterations - warmup);
      const s = Math.min(1, Math.max(0, t - warmup) / span);
      rate = schedule.minLearningRate + ((eta - schedule.minLearningRate) * (1 + Math.cos(Math.PI * s))) / 2;
      break;
    }
  }
  return t < warmup ? (rate * (t + 1)) / warmup : rate;
}

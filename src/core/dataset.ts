/**
 * Labelled images as the core consumes them: `count` rows of `features` values, row-major, and one
 * class index per row. Pixels stored as bytes stay bytes (a quarter of the memory and of the memory
 * traffic of floats) and are scaled to [0, 1] by 1/255 as they are gathered (see InputRows); float
 * images are used as they are. The arrays may be views on a SharedArrayBuffer that several worker
 * threads read at once; the core never writes to them.
 */
export interface LabelledImages {
  readonly images: Uint8Array | Float32Array;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly features: number;
  readonly classes: number;
}

/** The sets one run sees. `validation` is held out from the training images when requested. */
export interface TrainingData {
  readonly train: LabelledImages;
  readonly test: LabelledImages;
  readonly validation: LabelledImages | null;
}

/** The largest label of a set; -1 when it is empty. */
export function maxLabel(set: LabelledImages): number {
  let max = -1;
  for (let i = 0; i < set.count; i++) max = Math.max(max, set.labels[i]!);
  return max;
}

/** The first `count` rows of a set, without copying. */
export function firstRows(set: LabelledImages, count: number): LabelledImages {
  const n = Math.min(count, set.count);
  return {
    images: set.images.subarray(0, n * set.features),
    labels: set.labels.subarray(0, n),
    count: n,
    features: set.features,
    classes: set.classes,
  };
}

/** Rows [start, end) of a set, without copying. */
export function rowRange(set: LabelledImages, start: number, end: number): LabelledImages {
  return {
    images: set.images.subarray(start * set.features, end * set.features),
    labels: set.labels.subarray(start, end),
    count: end - start,
    features: set.features,
    classes: set.classes,
  };
}

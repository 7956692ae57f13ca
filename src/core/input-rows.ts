import type { LabelledImages } from './dataset.ts';
import type { Kernels } from './kernels/kernels.ts';

/**
 * The network's input: up to `maxRows` rows of a set copied into a buffer the kernels can address
 * (the wasm backend sees only its own memory), with their labels. Byte pixels are copied as bytes,
 * one TypedArray.set (a memcpy) per row, then scaled to floats by one vectorised `unpackBytes` over
 * the whole batch (or, with kernels that read any memory, gathered and unpacked by one `unpackRows`
 * straight from the dataset); float pixels are copied as they are.
 */
export class InputRows {
  /** rows × features floats, as the first layer reads them. */
  readonly X: Float32Array;
  readonly labels: Uint8Array;
  /** Where byte pixels are gathered before unpacking; allocated on the first byte set. */
  private staging: Uint8Array | null = null;

  constructor(
    private readonly kernels: Kernels,
    readonly maxRows: number,
    readonly features: number,
  ) {
    this.X = kernels.alloc(maxRows * features);
    this.labels = new Uint8Array(maxRows);
  }

  /** Rows order[start .. start + rows) of `set`: a mini-batch of a shuffled order. */
  gather(set: LabelledImages, order: Uint32Array, start: number, rows: number): void {
    const f = this.features;
    const { images, labels } = set;
    for (let r = 0; r < rows; r++) this.labels[r] = labels[order[start + r]!]!;
    if (images instanceof Uint8Array && this.kernels.unpackRows) {
      this.kernels.unpackRows(rows, f, images, order, start, this.X);
      return;
    }
    const target = images instanceof Uint8Array ? this.bytes() : this.X;
    for (let r = 0; r < rows; r++) {
      const index = order[start + r]!;
      target.set(images.subarray(index * f, index * f + f), r * f);
    }
    if (target !== this.X) this.kernels.unpackBytes(rows * f, target as Uint8Array, this.X);
  }

  /** Rows [start, start + rows) of `set`: a chunk of an evaluation, copied in one piece. */
  copyRange(set: LabelledImages, start: number, rows: number): void {
    const f = this.features;
    const pixels = set.images.subarray(start * f, (start + rows) * f);
    if (pixels instanceof Uint8Array) {
      // Kernels that read any memory unpack straight from the dataset (see Kernels.unpackRows).
      const source = this.kernels.unpackRows ? pixels : this.bytes();
      if (source !== pixels) source.set(pixels);
      this.kernels.unpackBytes(rows * f, source, this.X);
    } else {
      this.X.set(pixels);
    }
    this.labels.set(set.labels.subarray(start, start + rows));
  }

  /**
   * Rows [start, start + rows) of a byte set as bytes, for a first layer that reads them
   * (Kernels.gemmBytes): the dataset's own bytes with kernels that read any memory, else copied
   * into the kernels' memory. The labels as copyRange.
   */
  copyRangeBytes(set: LabelledImages, start: number, rows: number): Uint8Array {
    const f = this.features;
    const pixels = set.images.subarray(start * f, (start + rows) * f);
    if (!(pixels instanceof Uint8Array)) throw new TypeError('copyRangeBytes needs a set of byte pixels');
    this.labels.set(set.labels.subarray(start, start + rows));
    if (this.kernels.unpackRows) return pixels;
    const staging = this.bytes().subarray(0, rows * f);
    staging.set(pixels);
    return staging;
  }

  private bytes(): Uint8Array {
    this.staging ??= this.kernels.allocBytes(this.maxRows * this.features);
    return this.staging;
  }
}

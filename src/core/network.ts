import type { ModelConfig, InitConfig } from './config.ts';
import { DenseLayer } from './dense.ts';
import { initializeLayer } from './init.ts';
import type { Kernels } from './kernels/kernels.ts';
import type { Rng } from './rng.ts';

/** Loss and correct predictions over a batch or a whole set. */
export interface Evaluation {
  /** Sum of the per-example cross-entropy losses. */
  lossSum: number;
  /** Number of examples whose arg-max output equals the label. */
  correct: number;
}

/**
 * A stack of dense layers ending in softmax, trained with cross-entropy.
 * Owns every buffer it computes with; `maxRows` bounds the rows of one forward pass.
 */
export class Network {
  readonly layers: readonly DenseLayer[];
  /** Per layer, its output after dropout (rows × nOut); allocated on the first pass with a mask. */
  private readonly dropped: (Float32Array | null)[];

  constructor(
    readonly kernels: Kernels,
    readonly model: ModelConfig,
    readonly maxRows: number,
  ) {
    assertModel(model);
    this.layers = model.activations.map((activation, l) => new DenseLayer(kernels, model.layers[l]!, model.layers[l + 1]!, activation, maxRows));
    this.dropped = this.layers.map(() => null);
  }

  get inputSize(): number {
    return this.model.layers[0]!;
  }

  get classes(): number {
    return this.model.layers[this.model.layers.length - 1]!;
  }

  /** Draws every layer's parameters; see initializeLayer for the schemes. */
  initialize(init: InitConfig, rng: Rng, seed: number): void {
    for (const layer of this.layers) initializeLayer(init, layer.nIn, layer.nOut, layer.W, layer.b, rng, seed);
  }

  /**
   * The logits (rows × classes) of `rows` examples in X (rows × inputSize, a kernels buffer; byte
   * pixels with kernels that have gemmBytes, see DenseLayer.forward).
   * With `masks` (training with dropout, see DropoutMasks), each hidden layer's output is
   * multiplied by its mask on its way to the next layer; the layer's own A keeps the undropped
   * activation, which its derivative needs.
   */
  forward(X: Float32Array | Uint8Array, rows: number, masks: readonly (Float32Array | null)[] | null = null): Float32Array {
    let input: Float32Array | Uint8Array = X;
    let output: Float32Array | null = null;
    for (let l = 0; l < this.layers.length; l++) {
      const layer = this.layers[l]!;
      output = layer.forward(input, rows);
      const mask = masks?.[l];
      if (mask) {
        const dropped = this.droppedOutput(l);
        this.kernels.multiply(rows * layer.nOut, output, mask, dropped);
        output = dropped;
      }
      input = output;
    }
    return output!;
  }

  /**
   * One forward and backward pass: leaves the gradient of the mean loss over the rows in each
   * layer's dW and db, and returns the sum of the per-example losses. With `masks`, the loss is
   * that of the network with those units dropped (inverted dropout).
   */
  computeGradients(X: Float32Array, labels: Uint8Array, rows: number, masks: readonly (Float32Array | null)[] | null = null): number {
    const logits = this.forward(X, rows, masks);
    const last = this.layers[this.layers.length - 1]!;
    const lossSum = this.kernels.softmaxCrossEntropy(rows, last.nOut, logits, labels, last.dA);
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l]!;
      // dA holds the gradient with respect to the dropped output: through the mask to A's.
      const mask = masks?.[l];
      if (mask) this.kernels.multiply(rows * layer.nOut, layer.dA, mask, layer.dA);
      const below = l > 0 ? this.layers[l - 1]! : null;
      const input = below === null ? X : masks?.[l - 1] ? this.droppedOutput(l - 1) : below.A;
      layer.backward(input, rows, below ? below.dA : null);
    }
    return lossSum;
  }

  private droppedOutput(l: number): Float32Array {
    this.dropped[l] ??= this.kernels.alloc(this.maxRows * this.layers[l]!.nOut);
    return this.dropped[l];
  }

  /** Loss and correct predictions of `rows` examples, without gradients (and without dropout). */
  evaluate(X: Float32Array | Uint8Array, labels: Uint8Array, rows: number): Evaluation {
    const logits = this.forward(X, rows);
    const classes = this.classes;
    const lossSum = this.kernels.softmaxCrossEntropy(rows, classes, logits, labels, null);
    return { lossSum, correct: countCorrect(logits, labels, rows, classes) };
  }
}

/** How many rows' arg-max (first maximum on ties) equals the label. */
export function countCorrect(logits: Float32Array, labels: Uint8Array, rows: number, classes: number): number {
  let correct = 0;
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (logits[i * classes + j]! > logits[i * classes + best]!) best = j;
    if (best === labels[i]) correct++;
  }
  return correct;
}

/** The most layer sizes a model may have: the native evaluation kernel refuses more (native/src/bindings_data.cc). */
export const MAX_LAYER_SIZES = 64;

/** Throws a RangeError naming what is wrong with a model's shape. */
export function assertModel(model: ModelConfig): void {
  const { layers, activations } = model;
  if (layers.length < 2) throw new RangeError(`a model needs at least 2 layer sizes, got ${layers.length}`);
  // Checked here too, so that a model the native backend refuses fails the same way on every backend.
  if (layers.length > MAX_LAYER_SIZES) throw new RangeError(`a model has at most ${MAX_LAYER_SIZES} layer sizes, got ${layers.length}`);
  if (layers.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new RangeError(`layer sizes must be positive integers, got [${layers.join(', ')}]`);
  }
  if (activations.length !== layers.length - 1) {
    throw new RangeError(`${activations.length} activations for layers [${layers.join(', ')}], which need ${layers.length - 1}`);
  }
  activations.forEach((activation, i) => {
    const isLast = i === activations.length - 1;
    if (isLast !== (activation === 'softmax')) {
      throw new RangeError(isLast ? 'the last activation must be softmax' : 'softmax may only be the last activation');
    }
  });
}

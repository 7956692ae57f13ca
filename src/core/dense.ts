import type { Activation, Kernels } from './kernels/kernels.ts';

/**
 * A fully connected layer, forward and backward side by side.
 *
 * Activations are stored with one example per row (batch × features), and W as nIn × nOut, so
 * the forward pass is the plain product X·W and dW = Xᵀ·dZ needs no transposed copy. (The report
 * wrote the same maths column-wise, Z = W·X + b with W: nOut × nIn; the numbers are identical.)
 *
 * Buffers are allocated once for up to `maxRows` examples and reused by every step.
 */
export class DenseLayer {
  /** W: nIn × nOut. */
  readonly W: Float32Array;
  /** b: nOut. */
  readonly b: Float32Array;
  /** Gradient of the mean loss with respect to W: nIn × nOut. */
  readonly dW: Float32Array;
  /** Gradient of the mean loss with respect to b: nOut. */
  readonly db: Float32Array;
  /** Output A = g(X·W + b): maxRows × nOut. For the softmax layer, the logits. */
  readonly A: Float32Array;
  /** Gradient flowing back into this layer's output; becomes dZ in place: maxRows × nOut. */
  readonly dA: Float32Array;

  constructor(
    private readonly kernels: Kernels,
    readonly nIn: number,
    readonly nOut: number,
    readonly activation: Activation,
    readonly maxRows: number,
  ) {
    this.W = kernels.alloc(nIn * nOut);
    this.b = kernels.alloc(nOut);
    this.dW = kernels.alloc(nIn * nOut);
    this.db = kernels.alloc(nOut);
    this.A = kernels.alloc(maxRows * nOut);
    this.dA = kernels.alloc(maxRows * nOut);
  }

  /**
   * A = g(X·W + b) for `rows` rows of X (rows × nIn). For softmax, A holds the logits X·W + b.
   * X may be byte pixels (an evaluation's input, with kernels that have gemmBytes): X / 255 then.
   */
  forward(X: Float32Array | Uint8Array, rows: number): Float32Array {
    const { kernels, nIn, nOut } = this;
    if (X instanceof Float32Array) kernels.gemm(rows, nOut, nIn, X, this.W, this.A);
    else if (kernels.gemmBytes) kernels.gemmBytes(rows, nOut, nIn, X, this.W, this.A);
    else throw new TypeError(`the ${kernels.name} kernels have no gemmBytes: unpack byte inputs first`);
    if (this.activation === 'softmax') kernels.addBias(rows, nOut, this.A, this.b);
    else kernels.biasActivation(rows, nOut, this.A, this.b, this.activation);
    return this.A;
  }

  /**
   * Given dA in this.dA (for softmax: dZ already, written by the loss), computes dW and db, and,
   * when `dX` is given, the gradient with respect to the input X: dX = dZ·Wᵀ (rows × nIn).
   */
  backward(X: Float32Array, rows: number, dX: Float32Array | null): void {
    const { kernels, nIn, nOut } = this;
    if (this.activation !== 'softmax') kernels.activationBackward(rows * nOut, this.dA, this.A, this.activation);
    kernels.gemmTN(nIn, nOut, rows, X, this.dA, this.dW);
    kernels.columnSums(rows, nOut, this.dA, this.db);
    if (dX !== null) kernels.gemmNT(rows, nIn, nOut, this.dA, this.W, dX);
  }
}

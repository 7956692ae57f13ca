/**
 * The kernel interface: every numeric loop the network runs, over flat row-major Float32Arrays.
 *
 * Three backends implement it with the same signatures: `js` (the readable reference in
 * reference.ts), `wasm` and `native`. A fast backend may implement only the hot kernels and take
 * the others from the reference, because every buffer it hands out is an ordinary Float32Array.
 *
 * Conventions, shared by every backend:
 * - matrices are row-major; a product's dimensions are given as (m, n, k) like BLAS:
 *   the output C is m × n and k is the length of the summed dimension;
 * - outputs are overwritten, never accumulated into;
 * - an output never aliases an input, except where a kernel says it works in place;
 * - buffers passed to a backend's kernels must come from that backend's `alloc` (the wasm
 *   backend can only address its own linear memory); subarrays of such buffers are fine.
 */

/** Hidden-layer activations. The output layer is always softmax, fused with the loss. */
export type HiddenActivation = 'relu' | 'sigmoid' | 'tanh';

/** Every activation a layer may have; `softmax` only as the last one. */
export type Activation = HiddenActivation | 'softmax';

export type BackendName = 'js' | 'wasm' | 'native';

/** A dense layer as evaluateRows reads it. */
export interface EvaluationLayer {
  W: Float32Array;
  b: Float32Array;
  nIn: number;
  nOut: number;
  activation: Activation;
}

export interface Kernels {
  readonly name: BackendName;

  /**
   * A zero-filled buffer of `length` floats that this backend's kernels can address.
   * Buffers live as long as the backend; the core allocates them once per run and reuses them.
   */
  alloc(length: number): Float32Array;

  /**
   * A zero-filled byte buffer that this backend's kernels can address: where input pixels kept as
   * bytes are gathered before `unpackBytes` turns them into floats. Released with the float buffers.
   */
  allocBytes(length: number): Uint8Array;

  /**
   * Releases every buffer `alloc` has handed out, so that the next run reuses the memory instead
   * of adding to it (a worker thread trains run after run with one backend). Those buffers must
   * not be used afterwards. A no-op where the garbage collector owns the buffers.
   */
  releaseAll(): void;

  /** C = A·B. A: m × k, B: k × n, C: m × n. */
  gemm(m: number, n: number, k: number, A: Float32Array, B: Float32Array, C: Float32Array): void;

  /**
   * C = (A / 255)·B with A: m × k bytes, B: k × n, C: m × n: bit for bit `unpackBytes` of A followed
   * by `gemm` (each row panel of A unpacked where the product reads it, instead of a float copy of
   * the whole input). The first layer of an evaluation over byte images. Absent on backends without
   * it, which unpack and multiply.
   */
  gemmBytes?(m: number, n: number, k: number, A: Uint8Array, B: Float32Array, C: Float32Array): void;

  /** C = A·Bᵀ. A: m × k, B: n × k, C: m × n. (Backward: dA = dZ · Wᵀ.) */
  gemmNT(m: number, n: number, k: number, A: Float32Array, B: Float32Array, C: Float32Array): void;

  /** C = Aᵀ·B. A: k × m, B: k × n, C: m × n. (Backward: dW = Xᵀ · dZ.) */
  gemmTN(m: number, n: number, k: number, A: Float32Array, B: Float32Array, C: Float32Array): void;

  /**
   * In place: Z ← g(Z + b), b broadcast over the rows. Z: rows × cols, b: cols.
   * The epilogue of a dense layer's forward product.
   */
  biasActivation(rows: number, cols: number, Z: Float32Array, b: Float32Array, activation: HiddenActivation): void;

  /**
   * In place: dA ← dA ⊙ g'(·), with the derivative written in terms of the activation's output A
   * (relu: [A > 0], sigmoid: A(1 − A), tanh: 1 − A²), so the pre-activation need not be kept.
   */
  activationBackward(length: number, dA: Float32Array, A: Float32Array, activation: HiddenActivation): void;

  /** In place: Z ← Z + b, b broadcast over the rows (the output layer, before softmax). */
  addBias(rows: number, cols: number, Z: Float32Array, b: Float32Array): void;

  /** out[j] = Σ_i X[i, j]. X: rows × cols, out: cols. (Backward: db = Σ_batch dZ.) */
  columnSums(rows: number, cols: number, X: Float32Array, out: Float32Array): void;

  /**
   * Softmax over each row of the logits Z with cross-entropy against integer labels,
   * computed stably as log-sum-exp(z) − z_label.
   * Writes into `dZ` (may alias Z) the gradient of the *mean* loss over the rows: (softmax(Z) − Y) / rows,
   * unless `dZ` is null. Returns the *sum* of the per-row losses (float64).
   * Z, dZ: rows × cols; labels: rows class indices.
   */
  softmaxCrossEntropy(rows: number, cols: number, Z: Float32Array, labels: Uint8Array, dZ: Float32Array | null): number;

  /**
   * dst[i] = src[i] / 255, correctly rounded to float32 (so every backend gives the same value):
   * pixels kept as bytes, scaled to [0, 1] as a mini-batch or an evaluation chunk is gathered.
   */
  unpackBytes(length: number, src: Uint8Array, dst: Float32Array): void;

  /**
   * Row r of dst (rows × features) ← row order[start + r] of src, each byte unpacked as unpackBytes
   * does: a mini-batch gathered and unpacked in one call. Only backends whose kernels read any typed
   * array have it, and their unpackBytes then takes any Uint8Array too, so that pixels go from the
   * dataset to the network's input without a copy; the wasm backend sees only its own memory and
   * gathers into allocBytes first.
   */
  unpackRows?(rows: number, features: number, src: Uint8Array, order: Uint32Array, start: number, dst: Float32Array): void;

  /**
   * The summed cross-entropy and the number of correct arg-max predictions of rows [0, count) of
   * byte images through `layers`, in chunks of `chunkRows`: exactly what the core's evaluateSet
   * computes chunk by chunk with these kernels (the same calls in the same order, chunk sums added
   * in chunk order), in one call, with the chunks spread over `threads` threads. Native only.
   */
  evaluateRows?(
    layers: readonly EvaluationLayer[],
    images: Uint8Array,
    labels: Uint8Array,
    count: number,
    chunkRows: number,
    threads: number,
  ): { lossSum: number; correct: number };

  /**
   * y ← y + alpha·x over `length` elements (the SGD update: W ← W − η·dW). x may be y itself
   * (y ← (1 + alpha)·y: decoupled weight decay), since each element is read before it is written.
   */
  axpy(length: number, alpha: number, x: Float32Array, y: Float32Array): void;

  /**
   * out[i] = x[i]·y[i] over `length` elements; `out` may alias x or y. One float32 product per
   * element, correctly rounded, so every backend gives the reference's value bit for bit. (Dropout:
   * an activation times its mask, and the gradient flowing back through the same mask.)
   */
  multiply(length: number, x: Float32Array, y: Float32Array, out: Float32Array): void;

  /**
   * Inverted dropout's mask: out[i] ← value if the i-th next draw keeps the unit, else 0, for
   * i < length. The draws are those of the xoroshiro128+ generator (pure-rand's, as Rng uses) whose
   * state is `state`: its four 32-bit words [s0 high, s0 low, s1 high, s1 low], advanced in place by
   * `length` steps. A draw (the low 32 bits of s0 + s1) keeps the unit when its top 31 bits are below
   * `threshold` (an integer in [0, 2³¹]): with probability threshold / 2³¹. Integer arithmetic, so
   * every backend draws the same masks and leaves the same state, bit for bit. `value` is stored as
   * a float32. `state` is 4 int32 on this backend's memory (a view on an `alloc` buffer).
   */
  bernoulliMask(length: number, state: Int32Array, threshold: number, value: number, out: Float32Array): void;

  /**
   * Momentum SGD, in place on W and velocity V (both `length`), gradient G:
   * classical: V ← μV − ηG, W ← W + V;  Nesterov: V ← μV − ηG, W ← W + μV − ηG.
   */
  momentumStep(length: number, W: Float32Array, G: Float32Array, V: Float32Array, learningRate: number, momentum: number, nesterov: boolean): void;

  /**
   * Adam (Kingma & Ba), in place on W and the moment estimates M, S (all `length`), gradient G.
   * `step` is the 1-based update count used for bias correction.
   */
  adamStep(
    length: number,
    W: Float32Array,
    G: Float32Array,
    M: Float32Array,
    S: Float32Array,
    learningRate: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    step: number,
  ): void;
}

import type { HiddenActivation, Kernels } from './kernels.ts';

/**
 * The `js` backend: plain loops, written to be read and trusted. Every fast backend is tested
 * against these functions, and takes from here any kernel it does not implement itself.
 * Sums run in float64 so that the reference is at least as accurate as what it checks.
 */
export const referenceKernels: Kernels = {
  name: 'js',

  alloc(length) {
    return new Float32Array(length);
  },

  allocBytes(length) {
    return new Uint8Array(length);
  },

  releaseAll() {},

  gemm(m, n, k, A, B, C) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += A[i * k + p]! * B[p * n + j]!;
        C[i * n + j] = s;
      }
    }
  },

  gemmNT(m, n, k, A, B, C) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += A[i * k + p]! * B[j * k + p]!;
        C[i * n + j] = s;
      }
    }
  },

  gemmTN(m, n, k, A, B, C) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += A[p * m + i]! * B[p * n + j]!;
        C[i * n + j] = s;
      }
    }
  },

  biasActivation(rows, cols, Z, b, activation) {
    const g = ACTIVATIONS[activation];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) Z[i * cols + j] = g(Z[i * cols + j]! + b[j]!);
    }
  },

  activationBackward(length, dA, A, activation) {
    const gPrime = DERIVATIVES[activation];
    for (let i = 0; i < length; i++) dA[i] = dA[i]! * gPrime(A[i]!);
  },

  addBias(rows, cols, Z, b) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) Z[i * cols + j] = Z[i * cols + j]! + b[j]!;
    }
  },

  columnSums(rows, cols, X, out) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += X[i * cols + j]!;
      out[j] = s;
    }
  },

  softmaxCrossEntropy(rows, cols, Z, labels, dZ) {
    let total = 0;
    for (let i = 0; i < rows; i++) {
      const row = i * cols;
      // Subtracting the row maximum keeps exp() finite for logits of any size.
      let max = -Infinity;
      for (let j = 0; j < cols; j++) max = Math.max(max, Z[row + j]!);
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += Math.exp(Z[row + j]! - max);
      const label = labels[i]!;
      if (label >= cols) throw new RangeError(`label ${label} is not below the ${cols} classes`);
      total += Math.log(sum) + max - Z[row + label]!;
      if (dZ !== null) {
        for (let j = 0; j < cols; j++) {
          const p = Math.exp(Z[row + j]! - max) / sum;
          dZ[row + j] = (p - (j === label ? 1 : 0)) / rows;
        }
      }
    }
    return total;
  },

  axpy(length, alpha, x, y) {
    for (let i = 0; i < length; i++) y[i] = y[i]! + alpha * x[i]!;
  },

  multiply(length, x, y, out) {
    // The float64 product of two floats is exact, so its rounding to float32 is the float32 product.
    for (let i = 0; i < length; i++) out[i] = x[i]! * y[i]!;
  },

  bernoulliMask(length, state, threshold, value, out) {
    // pure-rand's xoroshiro128+ step (its `next`) over the four words held in locals, and the keep
    // test without a branch: (draw >>> 1) − threshold is negative exactly when the unit is kept.
    let s01 = state[0]!;
    let s00 = state[1]!;
    let s11 = state[2]!;
    let s10 = state[3]!;
    for (let i = 0; i < length; i++) {
      out[i] = value * ((((s00 + s10) >>> 1) - threshold) >>> 31);
      const a0 = s10 ^ s00;
      const a1 = s11 ^ s01;
      const t00 = s00;
      const t01 = s01;
      s00 = (t00 << 24) ^ (t01 >>> 8) ^ a0 ^ (a0 << 16);
      s01 = (t01 << 24) ^ (t00 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16));
      s10 = (a1 << 5) ^ (a0 >>> 27);
      s11 = (a0 << 5) ^ (a1 >>> 27);
    }
    state[0] = s01;
    state[1] = s00;
    state[2] = s11;
    state[3] = s10;
  },

  unpackBytes(length, src, dst) {
    // src[i] / 255 in float64, then rounded to float32: for every byte the same float as a
    // correctly rounded float32 division (the kernel tests check all 256).
    for (let i = 0; i < length; i++) dst[i] = src[i]! / 255;
  },

  unpackRows(rows, features, src, order, start, dst) {
    for (let r = 0; r < rows; r++) {
      const from = order[start + r]! * features;
      for (let j = 0; j < features; j++) dst[r * features + j] = src[from + j]! / 255;
    }
  },

  momentumStep(length, W, G, V, learningRate, momentum, nesterov) {
    for (let i = 0; i < length; i++) {
      const v = momentum * V[i]! - learningRate * G[i]!;
      V[i] = v;
      W[i] = W[i]! + (nesterov ? momentum * v - learningRate * G[i]! : v);
    }
  },

  adamStep(length, W, G, M, S, learningRate, beta1, beta2, epsilon, step) {
    const correction1 = 1 - beta1 ** step;
    const correction2 = 1 - beta2 ** step;
    for (let i = 0; i < length; i++) {
      const g = G[i]!;
      const m = beta1 * M[i]! + (1 - beta1) * g;
      const s = beta2 * S[i]! + (1 - beta2) * g * g;
      M[i] = m;
      S[i] = s;
      W[i] = W[i]! - (learningRate * (m / correction1)) / (Math.sqrt(s / correction2) + epsilon);
    }
  },
};

/** g(z) for each hidden activation. */
export const ACTIVATIONS: Record<HiddenActivation, (z: number) => number> = {
  // biome-ignore lint/complexity/useMathMinMax: NaN goes to 0 here, as in the native and wasm kernels
  relu: (z) => (z > 0 ? z : 0),
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: Math.tanh,
};

/** g'(z) expressed through a = g(z), which is what the forward pass keeps. */
export const DERIVATIVES: Record<HiddenActivation, (a: number) => number> = {
  relu: (a) => (a > 0 ? 1 : 0),
  sigmoid: (a) => a * (1 - a),
  tanh: (a) => 1 - a * a,
};

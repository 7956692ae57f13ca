// The native backend's kernels over raw float pointers. Shapes and semantics are those of
// src/core/kernels/kernels.ts; the N-API layer (addon.cc) checks lengths before calling these.
#pragma once
#include <cstddef>
#include <cstdint>

namespace mlp {

// Activation codes shared with src/core/kernels/native.ts.
enum Activation : int { kRelu = 0, kSigmoid = 1, kTanh = 2 };

struct KernelTable {
  const char* isa;
  // C = A·B. A: m × k, B: k × n, C: m × n.
  void (*gemm)(int m, int n, int k, const float* A, const float* B, float* C);
  // C = (A / 255)·B with A as bytes (m × k): bit for bit unpackBytes of A, then gemm. The first
  // layer of an evaluation, fed from the data set's bytes without a float copy of its input.
  void (*gemmBytes)(int m, int n, int k, const unsigned char* A, const float* B, float* C);
  // C = A·Bᵀ. A: m × k, B: n × k.
  void (*gemmNT)(int m, int n, int k, const float* A, const float* B, float* C);
  // C = Aᵀ·B. A: k × m, B: k × n.
  void (*gemmTN)(int m, int n, int k, const float* A, const float* B, float* C);
  void (*biasActivation)(int rows, int cols, float* Z, const float* b, int activation);
  void (*activationBackward)(int length, float* dA, const float* A, int activation);
  void (*addBias)(int rows, int cols, float* Z, const float* b);
  void (*columnSums)(int rows, int cols, const float* X, float* out);
  void (*axpy)(int length, float alpha, const float* x, float* y);
  // dst[i] = src[i] / 255, correctly rounded: the same float as (float)(src[i] * (1.0 / 255)).
  void (*unpackBytes)(int length, const unsigned char* src, float* dst);
  // out[i] = x[i] * y[i]; out may alias x or y (dropout masks, forward and backward).
  void (*multiply)(int length, const float* x, const float* y, float* out);
};

// Softmax + cross-entropy of each row of Z (rows × cols) against labels, in float64 as the
// reference does: returns the summed loss; writes (softmax − onehot) / rows into dZ unless it is
// null (dZ may alias Z). Not hot enough to vectorize; one scalar version for every table.
double softmaxCrossEntropy(int rows, int cols, const float* Z, const unsigned char* labels, float* dZ);

// Inverted dropout's mask from the xoroshiro128+ state {s0 high, s0 low, s1 high, s1 low} (pure-rand's
// word order), advanced in place by `length` steps: out[i] = value when the top 31 bits of the low
// 32 bits of s0 + s1 are below threshold (≤ 2^31), else 0. Serial by nature; one version for every table.
void bernoulliMask(int length, int32_t* state, uint32_t threshold, float value, float* out);

// Rows of A that gemmBytes unpacks at a time: whole row tiles (of `tile` rows) filling about 96 KB
// of floats, which stay in L2 (even a 512 KB one, beside the layer's weights) while the column
// panels of B pass them, and leave L1 to the panel of B when it fits there.
inline int panelRows(int k, int tile) {
  const int tiles = k > 0 ? (96 * 1024 / 4) / (tile * k) : 1;
  return tile * (tiles > 1 ? tiles : 1);
}

// Portable loops, written so that the compiler can auto-vectorize them for the build target.
extern const KernelTable kGenericKernels;

#if defined(MLP_HAVE_AVX2_UNIT)
// AVX2 + FMA; only to be called when the CPU reports both (see addon.cc).
extern const KernelTable kAvx2Kernels;
// AVX-512F products (C = A·B and C = Aᵀ·B); the addon pairs them with the AVX2 table's other kernels.
void gemmAvx512(int m, int n, int k, const float* A, const float* B, float* C);
void gemmBytesAvx512(int m, int n, int k, const unsigned char* A, const float* B, float* C);
void gemmTNAvx512(int m, int n, int k, const float* A, const float* B, float* C);
#endif


}  // namespace mlp

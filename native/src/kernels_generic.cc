// Portable kernels: plain loops in an order the compiler vectorizes (unit stride innermost).
// Used on CPUs without AVX2/FMA and on non-x86 targets.
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels.h"

namespace mlp {
namespace {

// Division, not a multiplication by 1/255: float division is correctly rounded, so every backend
// gives the same float for each of the 256 bytes (a kernel test checks all of them).
void unpackBytes(int length, const unsigned char* src, float* dst) {
  for (int i = 0; i < length; i++) dst[i] = (float)src[i] / 255.0f;
}

// True when none of the `count` floats is an infinity or a NaN (x − x is NaN exactly for those).
bool allFinite(size_t count, const float* x) {
  float nan = 0;
  for (size_t i = 0; i < count; i++) nan += x[i] - x[i];
  return nan == 0;
}

// A zero a is skipped when B is finite: c + a·b[j] is then c + ±0, which is c itself (c is never
// −0: it starts at +0, and an exactly zero sum rounds to +0 unless both terms are −0), so the
// skipping gives the dense loop's floats. Pixels are mostly zero (MNIST: 81%).
void gemmFinite(int m, int n, int k, const float* A, const float* B, float* C, bool skipZeros) {
  for (int i = 0; i < m; i++) {
    float* c = C + (size_t)i * n;
    std::memset(c, 0, sizeof(float) * n);
    for (int p = 0; p < k; p++) {
      const float a = A[(size_t)i * k + p];
      if (skipZeros && a == 0.0f) continue;
      const float* b = B + (size_t)p * n;
      for (int j = 0; j < n; j++) c[j] += a * b[j];
    }
  }
}

void gemm(int m, int n, int k, const float* A, const float* B, float* C) {
  gemmFinite(m, n, k, A, B, C, allFinite((size_t)k * n, B));
}

// Row by row, each row unpacked into a buffer that stays in L1: gemm computes every row of C from
// its own row of A alone, so this is bit for bit unpackBytes followed by gemm.
void gemmBytes(int m, int n, int k, const unsigned char* A, const float* B, float* C) {
  thread_local std::vector<float> row;
  row.resize(k > 0 ? (size_t)k : 1);
  const bool skipZeros = allFinite((size_t)k * n, B);
  for (int i = 0; i < m; i++) {
    unpackBytes(k, A + (size_t)i * k, row.data());
    gemmFinite(1, n, k, row.data(), B, C + (size_t)i * n, skipZeros);
  }
}

void gemmNT(int m, int n, int k, const float* A, const float* B, float* C) {
  for (int i = 0; i < m; i++) {
    const float* a = A + (size_t)i * k;
    for (int j = 0; j < n; j++) {
      const float* b = B + (size_t)j * k;
      float s = 0;
      for (int p = 0; p < k; p++) s += a[p] * b[p];
      C[(size_t)i * n + j] = s;
    }
  }
}

// Zeros of A skipped as in gemm.
void gemmTN(int m, int n, int k, const float* A, const float* B, float* C) {
  std::memset(C, 0, sizeof(float) * (size_t)m * n);
  const bool skipZeros = allFinite((size_t)k * n, B);
  for (int p = 0; p < k; p++) {
    const float* b = B + (size_t)p * n;
    for (int i = 0; i < m; i++) {
      const float a = A[(size_t)p * m + i];
      if (skipZeros && a == 0.0f) continue;
      float* c = C + (size_t)i * n;
      for (int j = 0; j < n; j++) c[j] += a * b[j];
    }
  }
}

void biasActivation(int rows, int cols, float* Z, const float* b, int activation) {
  for (int i = 0; i < rows; i++) {
    float* z = Z + (size_t)i * cols;
    switch (activation) {
      case kRelu:
        for (int j = 0; j < cols; j++) { const float v = z[j] + b[j]; z[j] = v > 0 ? v : 0; }
        break;
      case kSigmoid:
        for (int j = 0; j < cols; j++) z[j] = (float)(1.0 / (1.0 + std::exp(-((double)z[j] + b[j]))));
        break;
      default:
        for (int j = 0; j < cols; j++) z[j] = (float)std::tanh((double)z[j] + b[j]);
        break;
    }
  }
}

void activationBackward(int length, float* dA, const float* A, int activation) {
  switch (activation) {
    case kRelu:
      for (int i = 0; i < length; i++) dA[i] = dA[i] * (A[i] > 0 ? 1.0f : 0.0f);
      break;
    case kSigmoid:
      for (int i = 0; i < length; i++) dA[i] = dA[i] * (A[i] * (1 - A[i]));
      break;
    default:
      for (int i = 0; i < length; i++) dA[i] = dA[i] * (1 - A[i] * A[i]);
      break;
  }
}

void addBias(int rows, int cols, float* Z, const float* b) {
  for (int i = 0; i < rows; i++) {
    float* z = Z + (size_t)i * cols;
    for (int j = 0; j < cols; j++) z[j] += b[j];
  }
}

void columnSums(int rows, int cols, const float* X, float* out) {
  std::memset(out, 0, sizeof(float) * cols);
  for (int i = 0; i < rows; i++) {
    const float* x = X + (size_t)i * cols;
    for (int j = 0; j < cols; j++) out[j] += x[j];
  }
}

void axpy(int length, float alpha, const float* x, float* y) {
  for (int i = 0; i < length; i++) y[i] += alpha * x[i];
}

void multiply(int length, const float* x, const float* y, float* out) {
  for (int i = 0; i < length; i++) out[i] = x[i] * y[i];
}

}  // namespace

double softmaxCrossEntropy(int rows, int cols, const float* Z, const unsigned char* labels, float* dZ) {
  double total = 0;
  for (int i = 0; i < rows; i++) {
    const float* z = Z + (size_t)i * cols;
    // Subtracting the row maximum keeps exp() finite for logits of any size.
    double max = -INFINITY;  // NaN-propagating, as Math.max is
    for (int j = 0; j < cols; j++) {
      const double v = z[j];
      if (v != v) {
        max = v;
        break;
      }
      if (v > max) max = v;
    }
    double sum = 0;
    for (int j = 0; j < cols; j++) sum += std::exp((double)z[j] - max);
    const int label = labels[i];
    total += std::log(sum) + max - (double)z[label];
    if (dZ != nullptr) {
      float* d = dZ + (size_t)i * cols;
      for (int j = 0; j < cols; j++) {
        const double p = std::exp((double)z[j] - max) / sum;
        d[j] = (float)((p - (j == label ? 1 : 0)) / rows);
      }
    }
  }
  return total;
}

void bernoulliMask(int length, int32_t* state, uint32_t threshold, float value, float* out) {
  uint64_t s0 = ((uint64_t)(uint32_t)state[0] << 32) | (uint32_t)state[1];
  uint64_t s1 = ((uint64_t)(uint32_t)state[2] << 32) | (uint32_t)state[3];
  // Without a branch (a kept/dropped branch is mispredicted about min(p, 1 − p) of the time):
  // (draw >> 1) − threshold wraps below zero exactly when the unit is kept, and its sign bit
  // selects value's bits or zero's.
  uint32_t valueBits;
  std::memcpy(&valueBits, &value, sizeof valueBits);
  for (int i = 0; i < length; i++) {
    const uint32_t draw = (uint32_t)(s0 + s1);
    const uint32_t keep = ((draw >> 1) - threshold) >> 31;
    const uint32_t bits = valueBits & (0u - keep);
    std::memcpy(out + i, &bits, sizeof bits);
    s1 ^= s0;
    s0 = ((s0 << 24) | (s0 >> 40)) ^ s1 ^ (s1 << 16);
    s1 = (s1 << 37) | (s1 >> 27);
  }
  state[0] = (int32_t)(uint32_t)(s0 >> 32);
  state[1] = (int32_t)(uint32_t)s0;
  state[2] = (int32_t)(uint32_t)(s1 >> 32);
  state[3] = (int32_t)(uint32_t)s1;
}

const KernelTable kGenericKernels = {
    "generic", gemm, gemmBytes, gemmNT, gemmTN, biasActivation, activationBackward, addBias, columnSums, axpy, unpackBytes, multiply,
};

}  // namespace mlp

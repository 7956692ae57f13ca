// AVX2 + FMA kernels for x86-64. This translation unit is compiled for the baseline target with
// AVX2/FMA enabled per function (pragma below), so the addon still loads on older CPUs; addon.cc
// only hands out this table after __builtin_cpu_supports("avx2") && ("fma").
//
// Products use a 6 × 16 register tile: 12 ymm accumulators + 2 B vectors + 1 broadcast = 15 of the
// 16 ymm registers. A is addressed through (row stride, column stride), so the same micro-kernel
// serves gemm (A row-major) and gemmTN (A stored transposed) without packing. B rows are read
// straight from memory with unaligned loads; the last, partial 16-column panel uses masked loads
// and stores, and the last row block a smaller tile, so no size needs padding.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC target("avx2,fma")
#elif defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#endif

#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstring>
#include <vector>

#include "kernels.h"
#include "zero_skip.h"

namespace mlp {
namespace {

constexpr int kMR = 6;
constexpr int kNR = 16;

// Lane mask for the first `count` (0..8) lanes of a ymm vector.
inline __m256i laneMask(int count) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), lanes);
}

// C[0..MR) × [0..16) = Σ_p A(r, p) · B(p, 0..16), A(r, p) = A[r·rsA + p·csA].
// FULL: all 16 columns valid; otherwise m0/m1 mask the valid columns of each half.
// The accumulators are named variables, not an array: GCC 12 kept an array of __m256 on the stack
// and stored all twelve every iteration (56 → 80+ GFLOP/s once they stay in registers).
// With `active` (zero_skip.h), only the k positions it lists, in its order; else p = 0..k−1.
template <int MR, bool FULL, bool SKIP>
inline void tile(int k, const int* active, const float* A, ptrdiff_t rsA, ptrdiff_t csA, const float* B, ptrdiff_t ldb,
                 float* C, ptrdiff_t ldc, __m256i m0, __m256i m1) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int q = 0; q < k; q++) {
    const ptrdiff_t p = SKIP ? active[q] : q;
    const float* a = A + p * csA;
    const float* b = B + p * ldb;
    // The rows of B a skipping tile reads are irregular: fetch ahead what the prefetcher cannot guess.
    if (SKIP && q + 8 < k) _mm_prefetch(reinterpret_cast<const char*>(B + active[q + 8] * ldb), _MM_HINT_T0);
    __m256 b0, b1;
    if (FULL) {
      b0 = _mm256_loadu_ps(b);
      b1 = _mm256_loadu_ps(b + 8);
    } else {
      b0 = _mm256_maskload_ps(b, m0);
      b1 = _mm256_maskload_ps(b + 8, m1);
    }
#define MLP_ROW(r)                                                 \
    if constexpr (MR > r) {                                        \
      const __m256 ar = _mm256_broadcast_ss(a + r * rsA);          \
      c##r##0 = _mm256_fmadd_ps(ar, b0, c##r##0);                  \
      c##r##1 = _mm256_fmadd_ps(ar, b1, c##r##1);                  \
    }
    MLP_ROW(0) MLP_ROW(1) MLP_ROW(2) MLP_ROW(3) MLP_ROW(4) MLP_ROW(5)
#undef MLP_ROW
  }
#define MLP_STORE(r)                                               \
  if constexpr (MR > r) {                                          \
    float* c = C + r * ldc;                                        \
    if (FULL) {                                                    \
      _mm256_storeu_ps(c, c##r##0);                                \
      _mm256_storeu_ps(c + 8, c##r##1);                            \
    } else {                                                       \
      _mm256_maskstore_ps(c, m0, c##r##0);                         \
      _mm256_maskstore_ps(c + 8, m1, c##r##1);                     \
    }                                                              \
  }
  MLP_STORE(0) MLP_STORE(1) MLP_STORE(2) MLP_STORE(3) MLP_STORE(4) MLP_STORE(5)
#undef MLP_STORE
}

template <bool FULL, bool SKIP>
inline void rowBlock(int rows, int k, const int* active, const float* A, ptrdiff_t rsA, ptrdiff_t csA, const float* B,
                     ptrdiff_t ldb, float* C, ptrdiff_t ldc, __m256i m0, __m256i m1) {
  switch (rows) {
    case 6: tile<6, FULL, SKIP>(k, active, A, rsA, csA, B, ldb, C, ldc, m0, m1); break;
    case 5: tile<5, FULL, SKIP>(k, active, A, rsA, csA, B, ldb, C, ldc, m0, m1); break;
    case 4: tile<4, FULL, SKIP>(k, active, A, rsA, csA, B, ldb, C, ldc, m0, m1); break;
    case 3: tile<3, FULL, SKIP>(k, active, A, rsA, csA, B, ldb, C, ldc, m0, m1); break;
    case 2: tile<2, FULL, SKIP>(k, active, A, rsA, csA, B, ldb, C, ldc, m0, m1); break;
    default: tile<1, FULL, SKIP>(k, active, A, rsA, csA, B, ldb, C, ldc, m0, m1); break;
  }
}

template <bool FULL>
inline void rowBlock(int rows, int k, const int* active, int count, const float* A, ptrdiff_t rsA, ptrdiff_t csA,
                     const float* B, ptrdiff_t ldb, float* C, ptrdiff_t ldc, __m256i m0, __m256i m1) {
  if (active != nullptr) rowBlock<FULL, true>(rows, count, active, A, rsA, csA, B, ldb, C, ldc, m0, m1);
  else rowBlock<FULL, false>(rows, k, nullptr, A, rsA, csA, B, ldb, C, ldc, m0, m1);
}

// C (m × n) = Σ_p A(i, p) · B[p·n + j]. Column panels outermost, so one 16-wide panel of B
// (k × 64 bytes) stays in L1/L2 while every row block of A streams past it. Each row tile skips
// the positions where all its rows of A are zero (zero_skip.h).
void gemmStrided(int m, int n, int k, const float* A, ptrdiff_t rsA, ptrdiff_t csA, const float* B, float* C, FiniteB& finite) {
  if (k == 0) {
    std::memset(C, 0, sizeof(float) * (size_t)m * n);
    return;
  }
  thread_local ZeroSkipPlan skip;
  skip.plan(m, k, kMR, A, rsA, csA, finite);
  const __m256i all = _mm256_set1_epi32(-1);
  for (int j = 0; j < n; j += kNR) {
    const int cols = n - j < kNR ? n - j : kNR;
    const bool full = cols == kNR;
    const __m256i m0 = full ? all : laneMask(cols);
    const __m256i m1 = full ? all : laneMask(cols - 8 > 0 ? cols - 8 : 0);
    for (int i = 0; i < m; i += kMR) {
      const int rows = m - i < kMR ? m - i : kMR;
      const float* a = A + (ptrdiff_t)i * rsA;
      float* c = C + (size_t)i * n + j;
      int count;
      const int* active = skip.positions(i / kMR, &count);
      if (full) rowBlock<true>(rows, k, active, count, a, rsA, csA, B + j, n, c, n, m0, m1);
      else rowBlock<false>(rows, k, active, count, a, rsA, csA, B + j, n, c, n, m0, m1);
    }
  }
}

void gemm(int m, int n, int k, const float* A, const float* B, float* C) {
  FiniteB finite(B, (size_t)k * n);
  gemmStrided(m, n, k, A, k, 1, B, C, finite);
}

void gemmTN(int m, int n, int k, const float* A, const float* B, float* C) {
  FiniteB finite(B, (size_t)k * n);
  gemmStrided(m, n, k, A, 1, m, B, C, finite);
}

// src[i] / 255 as unpackBytes gives it, without its division (whose throughput bounds unpackBytes):
// q = x·fl(1/255), then one Newton step on the exact residual x − 255·q (an FMA). For each of the
// 256 bytes this is the correctly rounded quotient (a kernel test checks all of them through
// gemmBytes). Lanes past `length` are not written.
void unpackPanel(int length, const unsigned char* src, float* dst) {
  const __m256 r = _mm256_set1_ps(1.0f / 255.0f);
  const __m256 d = _mm256_set1_ps(255.0f);
  int i = 0;
  for (; i + 8 <= length; i += 8) {
    const __m256 x = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + i))));
    const __m256 q = _mm256_mul_ps(x, r);
    _mm256_storeu_ps(dst + i, _mm256_fmadd_ps(_mm256_fnmadd_ps(q, d, x), r, q));
  }
  for (; i < length; i++) dst[i] = (float)src[i] / 255.0f;
}

// A panel of whole row tiles at a time (panelRows) unpacked into floats that stay in cache while
// every column panel of B passes them: no float copy of a whole evaluation chunk (256 × 784 floats
// are 800 KB, more than a 512 KB L2, read again for each of the 8 column panels of a 128-wide
// layer). gemmStrided computes each row of C from its own row of A alone, with the same tiles
// whatever m is, so this is bit for bit unpackBytes followed by gemm.
void gemmBytes(int m, int n, int k, const unsigned char* A, const float* B, float* C) {
  const int block = panelRows(k, kMR);
  thread_local std::vector<float> panel;
  panel.resize((size_t)block * (k > 0 ? k : 1));
  FiniteB finite(B, (size_t)k * n);
  for (int i = 0; i < m; i += block) {
    const int rows = m - i < block ? m - i : block;
    unpackPanel(rows * k, A + (size_t)i * k, panel.data());
    gemmStrided(rows, n, k, panel.data(), k, 1, B, C + (size_t)i * n, finite);
  }
}

// Horizontal sums of four vectors: {Σx0, Σx1, Σx2, Σx3}.
inline __m128 hsum4(__m256 x0, __m256 x1, __m256 x2, __m256 x3) {
  const __m256 s01 = _mm256_hadd_ps(x0, x1);
  const __m256 s23 = _mm256_hadd_ps(x2, x3);
  const __m256 s = _mm256_hadd_ps(s01, s23);
  return _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
}

// C[i, j] = A row i · B row j (both contiguous in k): an MR × 4 tile of dot products, 8 lanes of
// k at a time, the tail of k masked. 3 × 4 = 12 accumulators.
template <int MR, int NB>
inline void dotTile(int k, const float* A, const float* B, float* C, int n) {
  __m256 acc[MR][4];
  for (int r = 0; r < MR; r++)
    for (int q = 0; q < 4; q++) acc[r][q] = _mm256_setzero_ps();
  int p = 0;
  for (; p + 8 <= k; p += 8) {
    __m256 b[4];
    for (int q = 0; q < NB; q++) b[q] = _mm256_loadu_ps(B + (size_t)q * k + p);
    for (int r = 0; r < MR; r++) {
      const __m256 a = _mm256_loadu_ps(A + (size_t)r * k + p);
      for (int q = 0; q < NB; q++) acc[r][q] = _mm256_fmadd_ps(a, b[q], acc[r][q]);
    }
  }
  if (p < k) {
    const __m256i mask = laneMask(k - p);
    __m256 b[4];
    for (int q = 0; q < NB; q++) b[q] = _mm256_maskload_ps(B + (size_t)q * k + p, mask);
    for (int r = 0; r < MR; r++) {
      const __m256 a = _mm256_maskload_ps(A + (size_t)r * k + p, mask);
      for (int q = 0; q < NB; q++) acc[r][q] = _mm256_fmadd_ps(a, b[q], acc[r][q]);
    }
  }
  for (int r = 0; r < MR; r++) {
    const __m128 s = hsum4(acc[r][0], acc[r][1], acc[r][2], acc[r][3]);
    float* c = C + (size_t)r * n;
    if (NB == 4) {
      _mm_storeu_ps(c, s);
    } else {
      alignas(16) float tmp[4];
      _mm_store_ps(tmp, s);
      for (int q = 0; q < NB; q++) c[q] = tmp[q];
    }
  }
}

template <int MR>
inline void dotRow(int n, int k, const float* A, const float* B, float* C) {
  int j = 0;
  for (; j + 4 <= n; j += 4) dotTile<MR, 4>(k, A, B + (size_t)j * k, C + j, n);
  switch (n - j) {
    case 3: dotTile<MR, 3>(k, A, B + (size_t)j * k, C + j, n); break;
    case 2: dotTile<MR, 2>(k, A, B + (size_t)j * k, C + j, n); break;
    case 1: dotTile<MR, 1>(k, A, B + (size_t)j * k, C + j, n); break;
    default: break;
  }
}

void gemmNT(int m, int n, int k, const float* A, const float* B, float* C) {
  int i = 0;
  for (; i + 3 <= m; i += 3) dotRow<3>(n, k, A + (size_t)i * k, B, C + (size_t)i * n);
  if (m - i == 2) dotRow<2>(n, k, A + (size_t)i * k, B, C + (size_t)i * n);
  else if (m - i == 1) dotRow<1>(n, k, A + (size_t)i * k, B, C + (size_t)i * n);
}

// e^x in float32 lanes (Cephes expf): x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two for an
// exact reduction), a degree-6 polynomial for e^r, then the exponent bits of 2ⁿ. Within 2 ulp.
// x is clamped to [−87, 88] so that 2ⁿ stays a normal float; the clamps take x second, which
// makes a NaN pass through them (minps/maxps return their second operand for NaN) and out.
inline __m256 exp8(__m256 x) {
  x = _mm256_min_ps(_mm256_set1_ps(88.0f), x);
  x = _mm256_max_ps(_mm256_set1_ps(-87.0f), x);
  const __m256 n = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f)));
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

// 1 / (1 + e^−x). Below x ≈ −87 the result is under the smallest normal float and comes out as
// a tiny value instead of the reference's subnormal or 0: an absolute difference under 1.2e-38.
inline __m256 sigmoid8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

// tanh (Cephes tanhf): for |x| < 0.625 an odd polynomial, which keeps the relative precision of
// small values that 1 − 2/(e^2|x| + 1) would lose to cancellation; that formula elsewhere, with
// the sign put back. ±0 and NaN come out as they went in.
inline __m256 tanh8(__m256 x) {
  const __m256 signBit = _mm256_set1_ps(-0.0f);
  const __m256 ax = _mm256_andnot_ps(signBit, x);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 large = _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(exp8(_mm256_add_ps(ax, ax)), one)));
  const __m256 x2 = _mm256_mul_ps(x, x);
  __m256 p = _mm256_set1_ps(-5.70498872745e-3f);
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(2.06390887954e-2f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-5.37397155531e-2f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(1.33314422036e-1f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-3.33332819422e-1f));
  const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, x2), x, x);
  const __m256 isSmall = _mm256_cmp_ps(ax, _mm256_set1_ps(0.625f), _CMP_LT_OQ);
  const __m256 signedLarge = _mm256_or_ps(large, _mm256_and_ps(signBit, x));
  // NaN fails the comparison and takes the large branch, where it has stayed NaN.
  return _mm256_blendv_ps(signedLarge, small, isSmall);
}

template <int Act>
inline __m256 activate8(__m256 v) {
  if constexpr (Act == kRelu) {
    // max(v, 0) with v first: a NaN in v gives 0, as the reference's (v > 0 ? v : 0) does.
    return _mm256_max_ps(v, _mm256_setzero_ps());
  } else if constexpr (Act == kSigmoid) {
    return sigmoid8(v);
  } else {
    return tanh8(v);
  }
}

// Lanes past `cols` in the last vector of a row are loaded masked (as 0) and not stored.
template <int Act>
void biasActivationOf(int rows, int cols, float* Z, const float* b) {
  const __m256i tail = laneMask(cols % 8);
  const int whole = cols - cols % 8;
  for (int i = 0; i < rows; i++) {
    float* z = Z + (size_t)i * cols;
    for (int j = 0; j < whole; j += 8) {
      _mm256_storeu_ps(z + j, activate8<Act>(_mm256_add_ps(_mm256_loadu_ps(z + j), _mm256_loadu_ps(b + j))));
    }
    if (whole < cols) {
      const __m256 v = _mm256_add_ps(_mm256_maskload_ps(z + whole, tail), _mm256_maskload_ps(b + whole, tail));
      _mm256_maskstore_ps(z + whole, tail, activate8<Act>(v));
    }
  }
}

void biasActivation(int rows, int cols, float* Z, const float* b, int activation) {
  if (activation == kRelu) biasActivationOf<kRelu>(rows, cols, Z, b);
  else if (activation == kSigmoid) biasActivationOf<kSigmoid>(rows, cols, Z, b);
  else biasActivationOf<kTanh>(rows, cols, Z, b);
}

// dA ⊙ g'(A): relu [A > 0], sigmoid A(1 − A), tanh 1 − A², with g' rounded once before the product
// as the reference does.
void activationBackward(int length, float* dA, const float* A, int activation) {
  const __m256 zero = _mm256_setzero_ps();
  const __m256 one = _mm256_set1_ps(1.0f);
  int i = 0;
  for (; i + 8 <= length; i += 8) {
    const __m256 a = _mm256_loadu_ps(A + i);
    const __m256 slope = activation == kRelu ? _mm256_and_ps(_mm256_cmp_ps(a, zero, _CMP_GT_OQ), one)
                         : activation == kSigmoid ? _mm256_mul_ps(a, _mm256_sub_ps(one, a))
                                                  : _mm256_fnmadd_ps(a, a, one);
    _mm256_storeu_ps(dA + i, _mm256_mul_ps(_mm256_loadu_ps(dA + i), slope));
  }
  if (i < length) kGenericKernels.activationBackward(length - i, dA + i, A + i, activation);
}

void addBias(int rows, int cols, float* Z, const float* b) {
  for (int i = 0; i < rows; i++) {
    float* z = Z + (size_t)i * cols;
    int j = 0;
    for (; j + 8 <= cols; j += 8) _mm256_storeu_ps(z + j, _mm256_add_ps(_mm256_loadu_ps(z + j), _mm256_loadu_ps(b + j)));
    for (; j < cols; j++) z[j] += b[j];
  }
}

void columnSums(int rows, int cols, const float* X, float* out) {
  int j = 0;
  for (; j + 8 <= cols; j += 8) {
    __m256 s = _mm256_setzero_ps();
    for (int i = 0; i < rows; i++) s = _mm256_add_ps(s, _mm256_loadu_ps(X + (size_t)i * cols + j));
    _mm256_storeu_ps(out + j, s);
  }
  for (; j < cols; j++) {
    float s = 0;
    for (int i = 0; i < rows; i++) s += X[(size_t)i * cols + j];
    out[j] = s;
  }
}

void axpy(int length, float alpha, const float* x, float* y) {
  const __m256 a = _mm256_set1_ps(alpha);
  int i = 0;
  for (; i + 8 <= length; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(a, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  for (; i < length; i++) y[i] = std::fma(alpha, x[i], y[i]);
}

void multiply(int length, const float* x, const float* y, float* out) {
  int i = 0;
  for (; i + 8 <= length; i += 8) _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  for (; i < length; i++) out[i] = x[i] * y[i];
}

// Eight bytes at a time widened to int32, converted exactly to float and divided by 255 (correctly
// rounded, as the generic kernel).
void unpackBytes(int length, const unsigned char* src, float* dst) {
  const __m256 d = _mm256_set1_ps(255.0f);
  int i = 0;
  for (; i + 8 <= length; i += 8) {
    const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + i));
    _mm256_storeu_ps(dst + i, _mm256_div_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes)), d));
  }
  for (; i < length; i++) dst[i] = (float)src[i] / 255.0f;
}

}  // namespace

const KernelTable kAvx2Kernels = {
    "avx2+fma", gemm, gemmBytes, gemmNT, gemmTN, biasActivation, activationBackward, addBias, columnSums, axpy, unpackBytes, multiply,
};

}  // namespace mlp

#if defined(__clang__)
#pragma clang attribute pop
#endif

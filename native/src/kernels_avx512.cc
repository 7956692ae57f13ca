// AVX-512 products for x86-64 CPUs that have it (addon.cc checks __builtin_cpu_supports("avx512f")).
// Only gemm, gemmTN and gemmBytes (gemm from bytes), 6 of the 6.8 MFLOP... of a step's products
// and the bulk of an evaluation's, live here; everything else comes from the AVX2 table. Compiled
// for the baseline target with AVX-512F enabled per function.
//
// A 10 × 32 register tile: 20 zmm accumulators + 2 B vectors + 1 broadcast of the 32 registers;
// 10 rows divide the batch of 30 exactly. The partial last column panel uses AVX-512's own
// masked loads and stores.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC target("avx512f,avx2,fma")
#elif defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#endif

#include <immintrin.h>

#include <cstddef>
#include <cstring>
#include <vector>

#include "kernels.h"
#include "zero_skip.h"

namespace mlp {
namespace {

constexpr int kMR = 10;
constexpr int kNR = 32;

// TWO: the tile's 32 columns (two vectors a row); without it, 16 (one vector a row), for a panel of
// at most 16 columns, e.g. a 10-class output layer, which would otherwise spend half its FMAs on
// masked-off lanes. Each element gets the same FMAs in the same order either way.
// With `active` (zero_skip.h), only the k positions it lists, in its order; else p = 0..k−1.
template <int MR, bool TWO, bool SKIP>
inline void tile(int k, const int* active, const float* A, ptrdiff_t rsA, ptrdiff_t csA, const float* B, ptrdiff_t ldb,
                 float* C, ptrdiff_t ldc, __mmask16 m0, __mmask16 m1) {
  // Named accumulators (an array of vectors ends up on the stack with GCC 12).
  __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  __m512 c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
  __m512 c80 = c00, c81 = c00, c90 = c00, c91 = c00;
  for (int q = 0; q < k; q++) {
    const ptrdiff_t p = SKIP ? active[q] : q;
    const float* a = A + p * csA;
    const float* b = B + p * ldb;
    // The rows of B a skipping tile reads are irregular: fetch ahead what the prefetcher cannot guess.
    if (SKIP && q + 8 < k) _mm_prefetch(reinterpret_cast<const char*>(B + active[q + 8] * ldb), _MM_HINT_T0);
    const __m512 b0 = _mm512_maskz_loadu_ps(m0, b);
    const __m512 b1 = TWO ? _mm512_maskz_loadu_ps(m1, b + 16) : _mm512_setzero_ps();
#define MLP_ROW(r)                                        \
    if constexpr (MR > r) {                               \
      const __m512 ar = _mm512_set1_ps(a[r * rsA]);       \
      c##r##0 = _mm512_fmadd_ps(ar, b0, c##r##0);         \
      if constexpr (TWO) c##r##1 = _mm512_fmadd_ps(ar, b1, c##r##1); \
    }
    MLP_ROW(0) MLP_ROW(1) MLP_ROW(2) MLP_ROW(3) MLP_ROW(4) MLP_ROW(5) MLP_ROW(6) MLP_ROW(7) MLP_ROW(8) MLP_ROW(9)
#undef MLP_ROW
  }
#define MLP_STORE(r)                                      \
  if constexpr (MR > r) {                                 \
    _mm512_mask_storeu_ps(C + r * ldc, m0, c##r##0);      \
    if constexpr (TWO) _mm512_mask_storeu_ps(C + r * ldc + 16, m1, c##r##1); \
  }
  MLP_STORE(0) MLP_STORE(1) MLP_STORE(2) MLP_STORE(3) MLP_STORE(4) MLP_STORE(5) MLP_STORE(6) MLP_STORE(7) MLP_STORE(8) MLP_STORE(9)
#undef MLP_STORE
}

template <bool TWO, bool SKIP>
inline void rowBlock(int rows, int k, const int* active, const float* A, ptrdiff_t rsA, ptrdiff_t csA, const float* B,
                     ptrdiff_t ldb, float* C, ptrdiff_t ldc, __mmask16 m0, __mmask16 m1) {
  switch (rows) {
    case 10: tile<10, TWO, SKIP>(k, active, A, rsA, csA, B, ldb, C, ldc, m0, m1); break;
    case 9: tile<9, TWO, SKIP>(k, active, A, rsA, csA, B, ldb, C, ldc, m0, m1); break;
    case 8: tile<8, TWO, SKIP>(k, active, A, rsA, csA, B, ldb, C, ldc, m0, m1); break;
    case 7: tile<7, TWO, SKIP>(k, active, A, rsA, csA, B, ldb, C, ldc, m0, m1); break;
    case 6: tile<6, TWO, SKIP>(k, active, A, rsA, csA, B, ldb, C, ldc, m0, m1); break;
    case 5: tile<5, TWO, SKIP>(k, active, A, rsA, csA, B, ldb, C, ldc, m0, m1); break;
    case 4: tile<4, TWO, SKIP>(k, active, A, rsA, csA, B, ldb, C, ldc, m0, m1); break;
    case 3: tile<3, TWO, SKIP>(k, active, A, rsA, csA, B, ldb, C, ldc, m0, m1); break;
    case 2: tile<2, TWO, SKIP>(k, active, A, rsA, csA, B, ldb, C, ldc, m0, m1); break;
    default: tile<1, TWO, SKIP>(k, active, A, rsA, csA, B, ldb, C, ldc, m0, m1); break;
  }
}

template <bool TWO>
inline void rowBlock(int rows, int k, const int* active, int count, const float* A, ptrdiff_t rsA, ptrdiff_t csA,
                     const float* B, ptrdiff_t ldb, float* C, ptrdiff_t ldc, __mmask16 m0, __mmask16 m1) {
  if (active != nullptr) rowBlock<TWO, true>(rows, count, active, A, rsA, csA, B, ldb, C, ldc, m0, m1);
  else rowBlock<TWO, false>(rows, k, nullptr, A, rsA, csA, B, ldb, C, ldc, m0, m1);
}

inline __mmask16 firstLanes(int count) {
  return count >= 16 ? (__mmask16)0xFFFF : count <= 0 ? (__mmask16)0 : (__mmask16)((1u << count) - 1);
}

// Each row tile skips the positions where all its rows of A are zero (zero_skip.h).
void gemmStrided(int m, int n, int k, const float* A, ptrdiff_t rsA, ptrdiff_t csA, const float* B, float* C, FiniteB& finite) {
  if (k == 0) {
    std::memset(C, 0, sizeof(float) * (size_t)m * n);
    return;
  }
  thread_local ZeroSkipPlan skip;
  skip.plan(m, k, kMR, A, rsA, csA, finite);
  for (int j = 0; j < n; j += kNR) {
    const int cols = n - j < kNR ? n - j : kNR;
    const __mmask16 m0 = firstLanes(cols);
    const __mmask16 m1 = firstLanes(cols - 16);
    for (int i = 0; i < m; i += kMR) {
      const int rows = m - i < kMR ? m - i : kMR;
      int count;
      const int* active = skip.positions(i / kMR, &count);
      if (cols > 16) rowBlock<true>(rows, k, active, count, A + (ptrdiff_t)i * rsA, rsA, csA, B + j, n, C + (size_t)i * n + j, n, m0, m1);
      else rowBlock<false>(rows, k, active, count, A + (ptrdiff_t)i * rsA, rsA, csA, B + j, n, C + (size_t)i * n + j, n, m0, m1);
    }
  }
}

// src[i] / 255 as unpackBytes gives it, 16 at a time: as the AVX2 unpackPanel (a product and one
// Newton step, no division).
void unpackPanel(int length, const unsigned char* src, float* dst) {
  const __m512 r = _mm512_set1_ps(1.0f / 255.0f);
  const __m512 d = _mm512_set1_ps(255.0f);
  int i = 0;
  for (; i + 16 <= length; i += 16) {
    const __m512 x = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
    const __m512 q = _mm512_mul_ps(x, r);
    _mm512_storeu_ps(dst + i, _mm512_fmadd_ps(_mm512_fnmadd_ps(q, d, x), r, q));
  }
  for (; i < length; i++) dst[i] = (float)src[i] / 255.0f;
}

}  // namespace

void gemmAvx512(int m, int n, int k, const float* A, const float* B, float* C) {
  FiniteB finite(B, (size_t)k * n);
  gemmStrided(m, n, k, A, k, 1, B, C, finite);
}

// As the AVX2 gemmBytes: a panel of whole row tiles unpacked into floats that stay in cache, then
// multiplied by every column panel; bit for bit unpackBytes followed by gemm.
void gemmBytesAvx512(int m, int n, int k, const unsigned char* A, const float* B, float* C) {
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

void gemmTNAvx512(int m, int n, int k, const float* A, const float* B, float* C) {
  FiniteB finite(B, (size_t)k * n);
  gemmStrided(m, n, k, A, 1, m, B, C, finite);
}

}  // namespace mlp

#if defined(__clang__)
#pragma clang attribute pop
#endif

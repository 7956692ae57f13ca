// Zero skipping for the products' register tiles. An FMA c ← a·b + c with a = ±0 and b finite
// leaves c unchanged, bit for bit: a·b is a zero, and c + ±0 = c for every c except −0, which an
// accumulator never is (it starts at +0, and an exactly zero sum rounds to +0 unless both of its
// terms are −0). So a tile may skip every position p of the summed dimension at which all its rows
// of A are zero, and give each element of C the same FMAs, in the same order, as the dense loop:
// the same floats. With an infinite or NaN B, a·b would have been NaN: such a product stays dense.
//
// Pixels are mostly zero (MNIST: 81%, a border that is blank in almost every image), and so are a
// ReLU layer's outputs below zero: about half of an evaluation's and a training step's first-layer
// FMAs are skipped this way. Included by each SIMD translation unit after its target pragma, so the
// AVX2 intrinsics here are compiled for that unit's target.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <vector>

namespace mlp {
namespace {

// A tile skips when at least this share of k (1/kSkipWorthDenominator) is zero for all its rows;
// below that the index list costs more than the FMAs it saves.
constexpr int kSkipWorthDenominator = 8;

// True when none of the `count` floats is an infinity or a NaN (all exponent bits set).
inline bool allFinite(size_t count, const float* x) {
  const __m256i exponent = _mm256_set1_epi32(0x7f800000);
  __m256i bad = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256i e = _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i)), exponent);
    bad = _mm256_or_si256(bad, _mm256_cmpeq_epi32(e, exponent));
  }
  if (!_mm256_testz_si256(bad, bad)) return false;
  for (; i < count; i++) {
    if (!(x[i] - x[i] == 0.0f)) return false;  // inf − inf and NaN − NaN are NaN
  }
  return true;
}

// Whether a product's B is finite, looked at once when first needed (by the first tile worth
// skipping), then known for the rest of the product: gemmBytes plans each of its panels with one.
class FiniteB {
 public:
  FiniteB(const float* B, size_t count) : B_(B), count_(count) {}
  bool get() {
    if (state_ < 0) state_ = allFinite(count_, B_) ? 1 : 0;
    return state_ == 1;
  }

 private:
  const float* B_;
  size_t count_;
  int state_ = -1;
};

// Lanes [0, count) of a ymm integer mask, count in 0..8.
inline __m256i firstLanesMask(int count) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), lanes);
}

// Writes the positions p < k at which some row r < rows of A(r, p) = A[r·rsA + p·csA] is not
// zero (a NaN is not zero) to `active`, in increasing order, and returns how many there are.
// With `active` null, only counts them.
inline int activePositions(int rows, int k, const float* A, ptrdiff_t rsA, ptrdiff_t csA, int* active) {
  int count = 0;
  const __m256 zero = _mm256_setzero_ps();
  if (csA == 1) {
    // Rows contiguous in p (gemm): 8 positions at a time, the rows' masks or-ed.
    int p = 0;
    for (; p + 8 <= k; p += 8) {
      __m256 any = _mm256_setzero_ps();
      for (int r = 0; r < rows; r++) any = _mm256_or_ps(any, _mm256_cmp_ps(_mm256_loadu_ps(A + r * rsA + p), zero, _CMP_NEQ_UQ));
      unsigned bits = (unsigned)_mm256_movemask_ps(any);
      if (active == nullptr) {
        count += __builtin_popcount(bits);
        continue;
      }
      while (bits != 0) {
        active[count++] = p + __builtin_ctz(bits);
        bits &= bits - 1;
      }
    }
    for (; p < k; p++) {
      bool any = false;
      for (int r = 0; r < rows; r++) any |= !(A[r * rsA + p] == 0.0f);
      if (any && active != nullptr) active[count] = p;
      count += any;
    }
  } else if (rsA == 1 && rows <= 16) {
    // Rows contiguous for each p (gemmTN: A stored transposed): each position's rows at once.
    const __m256i m0 = firstLanesMask(rows < 8 ? rows : 8);
    const __m256i m1 = firstLanesMask(rows > 8 ? rows - 8 : 0);
    for (int p = 0; p < k; p++) {
      const float* a = A + p * csA;
      __m256 any = _mm256_cmp_ps(_mm256_maskload_ps(a, m0), zero, _CMP_NEQ_UQ);
      if (rows > 8) any = _mm256_or_ps(any, _mm256_cmp_ps(_mm256_maskload_ps(a + 8, m1), zero, _CMP_NEQ_UQ));
      if (_mm256_movemask_ps(any) != 0) {
        if (active != nullptr) active[count] = p;
        count++;
      }
    }
  } else {
    for (int p = 0; p < k; p++) {
      bool any = false;
      for (int r = 0; r < rows; r++) any |= !(A[r * rsA + p * csA] == 0.0f);
      if (any && active != nullptr) active[count] = p;
      count += any;
    }
  }
  return count;
}

// Per row tile of a product, the positions it multiplies: null where the tile runs dense.
class ZeroSkipPlan {
 public:
  // Plans the tiles of `tileRows` rows of an m × k A. Every tile runs dense when B has an
  // infinity or a NaN (the dense product's NaNs must come out), and when the first tile would (the
  // hidden layers of most models: then neither B nor the other tiles are looked at, which would
  // cost a few percent of a small product).
  void plan(int m, int k, int tileRows, const float* A, ptrdiff_t rsA, ptrdiff_t csA, FiniteB& finite) {
    tiles_ = (m + tileRows - 1) / tileRows;
    counts_.assign(tiles_, k);
    sparse_ = false;
    if (k < kSkipWorthDenominator) return;
    const int firstRows = m < tileRows ? m : tileRows;
    if (activePositions(firstRows, k, A, rsA, csA, nullptr) > k - k / kSkipWorthDenominator) return;
    if (!finite.get()) return;
    positions_.resize((size_t)tiles_ * k);
    for (int t = 0; t < tiles_; t++) {
      const int i = t * tileRows;
      const int rows = m - i < tileRows ? m - i : tileRows;
      const int count = activePositions(rows, k, A + (ptrdiff_t)i * rsA, rsA, csA, positions_.data() + (size_t)t * k);
      if (count <= k - k / kSkipWorthDenominator) {
        counts_[t] = count;
        sparse_ = true;
      }
    }
    k_ = k;
  }

  // The positions of tile t, and their count through `count`; null for a dense tile.
  const int* positions(int t, int* count) const {
    *count = counts_[t];
    return sparse_ && counts_[t] < k_ ? positions_.data() + (size_t)t * k_ : nullptr;
  }

 private:
  int tiles_ = 0;
  int k_ = 0;
  bool sparse_ = false;
  std::vector<int> counts_;
  std::vector<int> positions_;
};

}  // namespace
}  // namespace mlp
